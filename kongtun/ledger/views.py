"""The books in the browser. Each view parses input, calls one service or selector, and renders.

Every object is loaded through its scoped manager and filtered by the request's fund, so an
object of another fund is a 404. Every POST makes one service call through `submit`, and a
refusal comes back next to the fields the user typed, with the input kept (status 400).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kongtun.funds.permissions import (
    APPROVE_VOUCHER,
    CLOSE_PERIOD,
    MAKE_VOUCHER,
    POST_ENTRIES,
    REOPEN_PERIOD,
    VIEW_BOOKS,
)
from kongtun.funds.tenancy import current_fund, fund_permission_required
from kongtun.ledger import selectors, services
from kongtun.ledger.beancount import fund_to_beancount
from kongtun.ledger.core import ZERO, shown
from kongtun.ledger.forms import (
    ACCOUNT_TYPE_LABELS,
    AccountForm,
    AttachmentForm,
    BankBookForm,
    CloseForm,
    DecisionForm,
    PeriodForm,
    ReconciliationForm,
    RejectForm,
    ReopenForm,
    ReverseForm,
    VoucherForm,
)
from kongtun.ledger.models import (
    Account,
    Attachment,
    BankReconciliation,
    JournalEntry,
    PeriodClose,
    Voucher,
)
from kongtun.lib.bahttext import bahttext
from kongtun.lib.pdf import render_pdf
from kongtun.lib.thaidate import format_date
from kongtun.web.forms import submit


def _status(form: Any) -> int:
    return 400 if form.is_bound else 200


# --- Front page and chart of accounts --------------------------------------------------------


@require_GET
@fund_permission_required(VIEW_BOOKS)
def home(request: HttpRequest, fund_code: str) -> HttpResponse:
    fund = current_fund(request)
    money = [
        (account, selectors.account_balance(fund=fund, account=account))
        for role in ("cash", "bank")
        for account in selectors.money_accounts(fund=fund, role=role)
        if account.is_active
    ]
    context = {
        "money": money,
        "money_total": sum((balance for _, balance in money), ZERO),
        "waiting": Voucher.objects.filter(fund=fund, status=Voucher.Status.DRAFT).count(),
        "recent": Voucher.objects.filter(fund=fund)
        .annotate(amount=Sum("lines__amount"))
        .order_by("-made_at", "-pk")[:5],
    }
    return render(request, "ledger/home.html", context)


@require_GET
@fund_permission_required(VIEW_BOOKS)
def account_list(request: HttpRequest, fund_code: str) -> HttpResponse:
    fund = current_fund(request)
    totals = selectors.balances(fund=fund)
    groups = []
    for account_type, label in ACCOUNT_TYPE_LABELS.items():
        accounts = [
            (a, shown(a.type, totals.get(a.pk, ZERO)))
            for a in selectors.accounts_of(fund=fund).filter(type=account_type).order_by("code")
        ]
        groups.append(
            {"label": label, "accounts": accounts, "total": sum((b for _, b in accounts), ZERO)}
        )
    return render(request, "ledger/accounts.html", {"groups": groups})


@require_http_methods(["GET", "POST"])
@fund_permission_required(POST_ENTRIES)
def account_new(request: HttpRequest, fund_code: str) -> HttpResponse:
    fund = current_fund(request)
    form = AccountForm(request.POST or None)
    added = submit(
        request,
        form,
        lambda: services.account_add(fund=fund, actor=request.user, **form.to_kwargs()),
        lambda a: _("Account %(account)s was added.") % {"account": a},
    )
    if added is not None:
        return redirect("ledger-accounts", fund_code=fund.code)
    return render(request, "ledger/account_form.html", {"form": form}, status=_status(form))


# --- Vouchers --------------------------------------------------------------------------------


def _voucher(request: HttpRequest, code: Any) -> Voucher:
    return get_object_or_404(
        Voucher.objects.select_related("money_account", "made_by", "decided_by", "entry"),
        fund=current_fund(request),
        code=code,
    )


@require_GET
@fund_permission_required(VIEW_BOOKS)
def voucher_list(request: HttpRequest, fund_code: str) -> HttpResponse:
    fund = current_fund(request)
    status = request.GET.get("status", "")
    if status not in Voucher.Status.values:
        status = ""
    vouchers = (
        Voucher.objects.filter(fund=fund)
        .select_related("made_by", "money_account")
        .annotate(amount=Sum("lines__amount"))
        .order_by("-date", "-number")
    )
    if status:
        vouchers = vouchers.filter(status=status)
    page = Paginator(vouchers, 50).get_page(request.GET.get("page"))
    context = {"page": page, "status": status, "statuses": Voucher.Status.choices}
    return render(request, "ledger/vouchers.html", context)


@require_http_methods(["GET", "POST"])
@fund_permission_required(MAKE_VOUCHER)
def voucher_new(request: HttpRequest, fund_code: str) -> HttpResponse:
    fund = current_fund(request)
    kind = request.GET.get("kind", "")
    if kind not in Voucher.Kind.values:
        # First choose: money coming in or going out; each has its own accounts.
        status = 400 if request.method == "POST" else 200
        return render(request, "ledger/voucher_kind.html", status=status)
    form = VoucherForm(request.POST or None, fund=fund, kind=kind)
    voucher = submit(
        request,
        form,
        lambda: services.voucher_create(fund=fund, actor=request.user, **form.to_kwargs()),
        lambda v: (
            _("Voucher %(number)s was saved. Another committee member must now approve it.")
            % {"number": v.number}
        ),
    )
    if voucher is not None:
        return redirect("ledger-voucher", fund_code=fund.code, voucher=voucher.code)
    context = {"form": form, "kind": kind, "total": form.lines.total()}
    return render(request, "ledger/voucher_form.html", context, status=_status(form))


def _voucher_page(
    request: HttpRequest, voucher: Voucher, *, status: int = 200, **forms: Any
) -> HttpResponse:
    lines = list(voucher.lines.select_related("account"))
    total = sum((ln.amount for ln in lines), ZERO)
    user_id = request.user.pk
    context = {
        "voucher": voucher,
        "reversal": _reversal_of(voucher.entry) if voucher.entry else None,
        "lines": lines,
        "total": total,
        "total_words": bahttext(total),
        "attachments": voucher.attachments.select_related("uploaded_by").order_by("pk"),
        "is_maker": voucher.made_by_id == user_id,
        "decision_form": forms.get("decision_form") or DecisionForm(),
        "reject_form": forms.get("reject_form") or RejectForm(),
        "attachment_form": forms.get("attachment_form") or AttachmentForm(),
    }
    return render(request, "ledger/voucher.html", context, status=status)


@require_GET
@fund_permission_required(VIEW_BOOKS)
def voucher_detail(request: HttpRequest, fund_code: str, voucher: Any) -> HttpResponse:
    return _voucher_page(request, _voucher(request, voucher))


@require_POST
@fund_permission_required(APPROVE_VOUCHER)
def voucher_approve(request: HttpRequest, fund_code: str, voucher: Any) -> HttpResponse:
    obj = _voucher(request, voucher)
    form = DecisionForm(request.POST)
    approved = submit(
        request,
        form,
        lambda: services.voucher_approve(voucher=obj, actor=request.user),
        lambda v: (
            _("Voucher %(number)s was approved and posted to the books as entry #%(entry)s.")
            % {"number": v.number, "entry": v.entry.number if v.entry else ""}
        ),
    )
    if approved is not None:
        return redirect("ledger-voucher", fund_code=fund_code, voucher=obj.code)
    return _voucher_page(request, obj, status=400, decision_form=form)


@require_POST
@fund_permission_required(APPROVE_VOUCHER)
def voucher_reject(request: HttpRequest, fund_code: str, voucher: Any) -> HttpResponse:
    obj = _voucher(request, voucher)
    form = RejectForm(request.POST)
    rejected = submit(
        request,
        form,
        lambda: services.voucher_reject(
            voucher=obj, actor=request.user, reason=form.cleaned_data["reason"]
        ),
        lambda v: _("Voucher %(number)s was rejected; nothing was posted.") % {"number": v.number},
    )
    if rejected is not None:
        return redirect("ledger-voucher", fund_code=fund_code, voucher=obj.code)
    return _voucher_page(request, obj, status=400, reject_form=form)


@require_GET
@fund_permission_required(VIEW_BOOKS)
def voucher_pdf(request: HttpRequest, fund_code: str, voucher: Any) -> HttpResponse:
    obj = _voucher(request, voucher)
    lines = list(obj.lines.select_related("account"))
    total = sum((ln.amount for ln in lines), ZERO)
    fund = current_fund(request)
    with translation.override("th"):  # a Thai document whatever the screen's language
        pdf = render_pdf(
            "ledger/pdf/voucher.html",
            {
                "fund": fund,
                "tambon": fund.tambon,
                "voucher": obj,
                "lines": lines,
                "total": total,
                "total_words": bahttext(total),
                "date": format_date(obj.date, "long"),
                "printed_on": format_date(timezone.localdate(), "long"),
            },
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="voucher-{obj.number}.pdf"'
    return response


@require_POST
@fund_permission_required(MAKE_VOUCHER)
def attachment_add(request: HttpRequest, fund_code: str, voucher: Any) -> HttpResponse:
    obj = _voucher(request, voucher)
    form = AttachmentForm(request.POST, request.FILES)

    def add() -> Attachment:
        upload = form.cleaned_data["file"]
        # One byte past the limit is enough for the service to refuse a file that is too big.
        data = upload.read(services.MAX_ATTACHMENT_BYTES + 1)
        return services.attachment_add(voucher=obj, actor=request.user, name=upload.name, data=data)

    added = submit(request, form, add, _("The file was attached."))
    if added is not None:
        return redirect("ledger-voucher", fund_code=fund_code, voucher=obj.code)
    return _voucher_page(request, obj, status=400, attachment_form=form)


@require_GET
@fund_permission_required(VIEW_BOOKS)
def attachment_download(
    request: HttpRequest, fund_code: str, voucher: Any, attachment: int
) -> HttpResponse:
    obj = _voucher(request, voucher)
    item = get_object_or_404(Attachment, fund=current_fund(request), voucher=obj, pk=attachment)
    path = services.attachment_dir() / item.stored_name
    if not path.is_file():
        raise Http404
    # Always a download, never shown inline, with the type we checked at upload: a file that
    # pretends to be a picture cannot run as a page of this site. (At most 10 MB in memory.)
    response = HttpResponse(path.read_bytes(), content_type=item.content_type)
    response["Content-Disposition"] = content_disposition_header(True, item.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


# --- Journal ---------------------------------------------------------------------------------


def _entry(request: HttpRequest, code: Any) -> JournalEntry:
    return get_object_or_404(
        JournalEntry.objects.select_related("reverses", "created_by"),
        fund=current_fund(request),
        code=code,
    )


@require_GET
@fund_permission_required(VIEW_BOOKS)
def journal(request: HttpRequest, fund_code: str) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    entries = (
        selectors.entries_of(fund=current_fund(request), query=query)
        .select_related("reversed_by")
        .annotate(total=Sum("lines__amount", filter=Q(lines__amount__gt=0)))
    )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "ledger/journal.html", {"page": page, "query": query})


def _reversal_of(entry: JournalEntry) -> JournalEntry | None:
    try:
        return entry.reversed_by
    except JournalEntry.DoesNotExist:
        return None


def _voucher_of(entry: JournalEntry) -> Voucher | None:
    try:
        return entry.voucher
    except Voucher.DoesNotExist:
        return None


@require_GET
@fund_permission_required(VIEW_BOOKS)
def entry_detail(request: HttpRequest, fund_code: str, entry: Any) -> HttpResponse:
    obj = _entry(request, entry)
    lines = []
    for ln in obj.lines.select_related("account").order_by("pk"):
        amount = Decimal(ln.amount)  # MoneyField gives a Decimal; its stub says int
        lines.append((ln, max(amount, ZERO), max(-amount, ZERO)))
    context = {
        "entry": obj,
        "lines": lines,
        "total": sum((debit for _, debit, _ in lines), ZERO),
        "reversal": _reversal_of(obj),
        "voucher": _voucher_of(obj),
        # Its receipt is voided instead (entry_reverse refuses it), so no button for it here.
        "of_receipt": JournalEntry.objects.filter(pk=obj.pk, receipt__isnull=False).exists(),
    }
    return render(request, "ledger/entry.html", context)


@require_http_methods(["GET", "POST"])
@fund_permission_required(POST_ENTRIES)
def entry_reverse(request: HttpRequest, fund_code: str, entry: Any) -> HttpResponse:
    obj = _entry(request, entry)
    form = ReverseForm(request.POST or None)
    reversal = submit(
        request,
        form,
        lambda: services.entry_reverse(entry=obj, actor=request.user, **form.cleaned_data),
        lambda r: (
            _("Entry #%(number)s was reversed by entry #%(reversal)s.")
            % {"number": obj.number, "reversal": r.number}
        ),
    )
    if reversal is not None:
        return redirect("ledger-entry", fund_code=fund_code, entry=reversal.code)
    context = {"entry": obj, "form": form, "reversal": _reversal_of(obj)}
    return render(request, "ledger/entry_reverse.html", context, status=_status(form))


# --- Books -----------------------------------------------------------------------------------


def _book_page(
    request: HttpRequest, form: PeriodForm, accounts: list[Account], **context: Any
) -> HttpResponse:
    book = None
    if (not form.is_bound or form.is_valid()) and accounts:
        start, end = form.period()
        book = selectors.account_book(
            fund=current_fund(request), accounts=accounts, start=start, end=end
        )
    status = 400 if form.is_bound and form.errors else 200
    context = {"form": form, "book": book, "accounts": accounts, **context}
    return render(request, "ledger/book.html", context, status=status)


@require_GET
@fund_permission_required(VIEW_BOOKS)
def cash_book(request: HttpRequest, fund_code: str) -> HttpResponse:
    form = PeriodForm(request.GET)
    accounts = selectors.money_accounts(fund=current_fund(request), role="cash")
    return _book_page(request, form, accounts, title=_("Cash book"), money=True)


@require_GET
@fund_permission_required(VIEW_BOOKS)
def bank_book(request: HttpRequest, fund_code: str) -> HttpResponse:
    form = BankBookForm(request.GET, fund=current_fund(request))
    account = form.chosen() if (not form.is_bound or form.is_valid()) else None
    return _book_page(request, form, [account] if account else [], title=_("Bank book"), money=True)


@require_GET
@fund_permission_required(VIEW_BOOKS)
def general_ledger(request: HttpRequest, fund_code: str, account: int) -> HttpResponse:
    obj = get_object_or_404(Account, fund=current_fund(request), pk=account)
    form = PeriodForm(request.GET)
    title = _("Ledger: %(account)s") % {"account": obj}
    return _book_page(request, form, [obj], title=title, money=obj.is_money, account=obj)


# --- Bank reconciliation ---------------------------------------------------------------------


@dataclass
class Reconciled:
    """A reconciliation with its arithmetic: statement − books = Σ items when explained."""

    rec: BankReconciliation
    items_total: Decimal

    @property
    def difference(self) -> Decimal:
        return Decimal(self.rec.statement_balance) - Decimal(self.rec.book_balance)

    @property
    def unexplained(self) -> Decimal:
        return self.difference - self.items_total

    @property
    def explained(self) -> bool:
        return self.unexplained == 0


@require_GET
@fund_permission_required(VIEW_BOOKS)
def reconciliation_list(request: HttpRequest, fund_code: str) -> HttpResponse:
    recs = (
        BankReconciliation.objects.filter(fund=current_fund(request))
        .select_related("account", "prepared_by")
        .annotate(items_total=Sum("items__amount"))
        .order_by("-statement_date", "-pk")
    )
    page = Paginator(recs, 50).get_page(request.GET.get("page"))
    rows = [Reconciled(r, r.items_total or ZERO) for r in page]  # type: ignore[attr-defined]
    return render(request, "ledger/reconciliations.html", {"page": page, "rows": rows})


@require_http_methods(["GET", "POST"])
@fund_permission_required(POST_ENTRIES)
def reconciliation_new(request: HttpRequest, fund_code: str) -> HttpResponse:
    fund = current_fund(request)
    form = ReconciliationForm(request.POST or None, fund=fund)
    rec = submit(
        request,
        form,
        lambda: services.reconciliation_create(fund=fund, actor=request.user, **form.to_kwargs()),
        _("The reconciliation was saved."),
    )
    if rec is not None:
        return redirect("ledger-reconciliation", fund_code=fund.code, rec=rec.pk)
    return render(request, "ledger/reconciliation_form.html", {"form": form}, status=_status(form))


@require_GET
@fund_permission_required(VIEW_BOOKS)
def reconciliation_detail(request: HttpRequest, fund_code: str, rec: int) -> HttpResponse:
    obj = get_object_or_404(
        BankReconciliation.objects.select_related("account", "prepared_by"),
        fund=current_fund(request),
        pk=rec,
    )
    items = list(obj.items.order_by("pk"))
    result = Reconciled(obj, sum((Decimal(i.amount) for i in items), ZERO))
    return render(request, "ledger/reconciliation.html", {"r": result, "items": items})


# --- Periods ---------------------------------------------------------------------------------


def _periods_page(
    request: HttpRequest,
    *,
    close_form: CloseForm | None = None,
    reopen_form: ReopenForm | None = None,
    reopen_pk: int | None = None,
    status: int = 200,
) -> HttpResponse:
    fund = current_fund(request)
    closes = PeriodClose.objects.filter(fund=fund).select_related("closed_by", "reopened_by")
    context = {
        "closes": closes.order_by("-start", "-pk"),
        "close_form": close_form or CloseForm(fund=fund),
        "reopen_form": reopen_form,
        "reopen_pk": reopen_pk,
    }
    return render(request, "ledger/periods.html", context, status=status)


@require_GET
@fund_permission_required(VIEW_BOOKS)
def period_list(request: HttpRequest, fund_code: str) -> HttpResponse:
    return _periods_page(request)


@require_POST
@fund_permission_required(CLOSE_PERIOD)
def period_close(request: HttpRequest, fund_code: str) -> HttpResponse:
    fund = current_fund(request)
    form = CloseForm(request.POST, fund=fund)
    closed = submit(
        request,
        form,
        lambda: services.period_close(fund=fund, actor=request.user, **form.to_kwargs()),
        lambda c: (
            _("The books from %(start)s to %(end)s are closed.")
            % {"start": format_date(c.start, "long"), "end": format_date(c.end, "long")}
        ),
    )
    if closed is not None:
        return redirect("ledger-periods", fund_code=fund.code)
    return _periods_page(request, close_form=form, status=400)


@require_POST
@fund_permission_required(REOPEN_PERIOD)
def period_reopen(request: HttpRequest, fund_code: str, close: int) -> HttpResponse:
    obj = get_object_or_404(PeriodClose, fund=current_fund(request), pk=close)
    form = ReopenForm(request.POST)
    reopened = submit(
        request,
        form,
        lambda: services.period_reopen(
            close=obj, actor=request.user, reason=form.cleaned_data["reason"]
        ),
        lambda c: (
            _("The books from %(start)s to %(end)s are open again.")
            % {"start": format_date(c.start, "long"), "end": format_date(c.end, "long")}
        ),
    )
    if reopened is not None:
        return redirect("ledger-periods", fund_code=fund_code)
    return _periods_page(request, reopen_form=form, reopen_pk=obj.pk, status=400)


@require_GET
@fund_permission_required(VIEW_BOOKS)
def beancount_export(request: HttpRequest, fund_code: str) -> HttpResponse:
    """The whole books as a Beancount file, for the fund's auditor to check with bean-check."""
    fund = current_fund(request)
    name = f"{fund.code}-{timezone.localdate().isoformat()}.beancount"
    return HttpResponse(
        fund_to_beancount(fund),
        content_type="text/plain; charset=utf-8",
        headers={"Content-Disposition": content_disposition_header(True, name) or "attachment"},
    )
