"""Collection day in the browser: a collector's sessions, finding a member (number, name or
the card's QR code), taking the payment, counting the cash; the treasurer's hand-over and
desk payments.

A collector works only in their own sessions: another collector's session is a 404 to them,
as an object of another fund is. The treasurer and the chair (who manage contributions) may
look at any session of the fund, and accept it, but take no payment in someone else's.
Each POST makes one service call; a refusal comes back next to the field, input kept (400).
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kongtun.audit.access import record_id_search, record_member_view
from kongtun.contributions import services
from kongtun.contributions.forms_collect import (
    CloseForm,
    DeskPayForm,
    FindForm,
    PayForm,
    SessionOpenForm,
    default_amount,
    new_key,
    quick_choices,
)
from kongtun.contributions.models import CollectionSession, Receipt, Terms
from kongtun.contributions.selectors import MemberPosition, member_position
from kongtun.funds.permissions import COLLECT, MANAGE_CONTRIBUTIONS
from kongtun.funds.tenancy import current_fund, fund_permission_required, has_fund_permission
from kongtun.ledger.forms import active_money_accounts
from kongtun.lib.money import format_baht
from kongtun.lib.thaidate import format_date
from kongtun.lib.thaiid import to_ascii_digits
from kongtun.members.models import Member, Status
from kongtun.members.selectors import member_search
from kongtun.web.forms import see_other, submit

MAX_RESULTS = 20
OPEN = CollectionSession.State.OPEN


def _session_url(session: CollectionSession, **query: str) -> str:
    url = reverse(
        "contributions-session", kwargs={"fund_code": session.fund.code, "session": session.code}
    )
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _pay_url(session: CollectionSession, member: Member) -> str:
    return reverse(
        "contributions-session-pay",
        kwargs={"fund_code": session.fund.code, "session": session.code, "member": member.code},
    )


def _session(request: HttpRequest, code: Any, *, act: bool = False) -> CollectionSession:
    """The session, if the user may see it; `act` (take payments, close) only in one's own."""
    session = get_object_or_404(
        CollectionSession.objects.select_related("fund", "branch", "collector", "accepted_by"),
        fund=current_fund(request),
        code=code,
    )
    if session.collector_id == request.user.pk:
        return session
    if not has_fund_permission(request, MANAGE_CONTRIBUTIONS):
        raise Http404
    if act:
        raise PermissionDenied
    return session


def _member(request: HttpRequest, code: Any) -> Member:
    return get_object_or_404(
        Member.objects.select_related("branch"), fund=current_fund(request), code=code
    )


def _terms(request: HttpRequest) -> Terms | None:
    return Terms.objects.select_related("default_plan").filter(fund=current_fund(request)).first()


def _with_totals(sessions: QuerySet[CollectionSession]) -> QuerySet[CollectionSession]:
    valid = Q(receipts__void_entry__isnull=True)
    return sessions.annotate(
        receipt_count=Count("receipts", filter=valid),
        receipt_total=Sum("receipts__total", filter=valid),
    )


def _paid_message(receipt: Receipt) -> str:
    return _("Receipt %(number)s: %(amount)s baht from %(member)s. Paid through %(date)s.") % {
        "number": receipt.number,
        "amount": format_baht(receipt.total),
        "member": receipt.member.full_name,
        "date": format_date(receipt.paid_through, "long"),
    }


# --- The collector's page --------------------------------------------------------------------


def _member_from_query(request: HttpRequest, value: str) -> Member | None:
    try:
        code = uuid.UUID(value)
    except ValueError:
        return None
    return Member.objects.filter(fund=current_fund(request), code=code).first()


@require_http_methods(["GET", "POST"])
@fund_permission_required(COLLECT)
def collect_home(request: HttpRequest, fund_code: str) -> HttpResponse:
    fund = current_fund(request)
    params = request.POST if request.method == "POST" else request.GET
    # Arriving from a scanned card with no session open: after opening, go on to that member.
    then = _member_from_query(request, params.get("member", ""))
    form = SessionOpenForm(request.POST if request.method == "POST" else None, fund=fund)
    session = submit(
        request,
        form,
        lambda: services.session_open(
            fund=fund,
            collector=request.user,
            branch=form.cleaned_data["branch"],
            place=form.cleaned_data["place"],
        ),
        _("The collection session is open. Find a member to take their payment."),
    )
    if session is not None:
        return see_other(_pay_url(session, then) if then else _session_url(session))
    mine = CollectionSession.objects.filter(fund=fund, collector_id=request.user.pk)
    waiting = None
    if has_fund_permission(request, MANAGE_CONTRIBUTIONS):
        waiting = CollectionSession.objects.filter(
            fund=fund, state=CollectionSession.State.CLOSED
        ).select_related("collector", "branch")
    context = {
        "form": form,
        "then": then,
        "current": mine.filter(state=OPEN).select_related("branch").first(),
        "recent": _with_totals(mine.exclude(state=OPEN).select_related("branch"))[:10],
        "waiting": waiting,
    }
    return render(
        request, "contributions/collect/home.html", context, status=400 if form.errors else 200
    )


@require_GET
@fund_permission_required(COLLECT)
def collect_member(request: HttpRequest, fund_code: str, member: Any) -> HttpResponse:
    """Where the member page (and so a card scanned by the phone's own camera app) leads."""
    person = _member(request, member)
    session = CollectionSession.objects.filter(
        fund=current_fund(request), collector_id=request.user.pk, state=OPEN
    ).first()
    if session is not None:
        return see_other(_pay_url(session, person))
    messages.info(
        request,
        _("Open a collection session first; then you can take %(member)s's payment.")
        % {"member": person.full_name},
    )
    url = reverse("contributions-collect", kwargs={"fund_code": fund_code})
    return see_other(f"{url}?member={person.code}")


# --- A session -------------------------------------------------------------------------------


def _difference(session: CollectionSession) -> dict[str, Any]:
    diff = session.difference
    return {"diff": diff, "diff_abs": abs(diff) if diff is not None else None}


def _session_page(
    request: HttpRequest,
    session: CollectionSession,
    *,
    find_form: FindForm | None = None,
    results: list[Member] | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    receipts = session.receipts.select_related("member").order_by("-seq")
    last = None
    if code := request.GET.get("last"):
        try:
            last = receipts.filter(code=uuid.UUID(code)).first()
        except ValueError:
            last = None
    mine = session.collector_id == request.user.pk
    context = {
        "session": session,
        "receipts": receipts,
        "count": receipts.filter(void_entry__isnull=True).count(),
        "total": services.session_total(session),
        "last": last,
        "can_collect": mine and session.state == OPEN,
        "can_accept": (
            not mine
            and session.state == CollectionSession.State.CLOSED
            and has_fund_permission(request, MANAGE_CONTRIBUTIONS)
        ),
        "find_form": find_form or FindForm(),
        "results": results,
        "max": MAX_RESULTS,
        "error": error,
        **_difference(session),
    }
    return render(request, "contributions/collect/session.html", context, status=status)


@require_GET
@fund_permission_required(COLLECT)
def session_detail(request: HttpRequest, fund_code: str, session: Any) -> HttpResponse:
    return _session_page(request, _session(request, session))


@require_http_methods(["GET", "POST"])
@fund_permission_required(COLLECT)
def session_find(request: HttpRequest, fund_code: str, session: Any) -> HttpResponse:
    """Members by number or name. Sent by POST (names stay out of URLs and logs): htmx asks
    for the results as the collector types; a plain submit goes to the member when one fits."""
    obj = _session(request, session)
    form = FindForm(request.POST if request.method == "POST" else request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    results = (
        list(member_search(fund=current_fund(request), query=query)[:MAX_RESULTS]) if query else []
    )
    record_id_search(request=request, query=query, members=results)
    if request.htmx:  # type: ignore[attr-defined]
        context = {"session": obj, "results": results, "find_form": form, "max": MAX_RESULTS}
        return render(request, "contributions/collect/_results.html", context)
    number = to_ascii_digits(query).strip()
    exact = [m for m in results if m.number.lstrip("0") == number.lstrip("0") and number]
    pick = results[0] if len(results) == 1 else (exact[0] if len(exact) == 1 else None)
    if request.method == "POST" and pick is not None and obj.collector_id == request.user.pk:
        return see_other(_pay_url(obj, pick))
    return _session_page(request, obj, find_form=form, results=results)


def _pay_context(
    member: Member, pos: MemberPosition | None, terms: Terms | None, **extra: Any
) -> dict[str, Any]:
    lapsed = member.status == Status.LAPSED
    rejoin = terms is not None and terms.reinstatement == Terms.Reinstatement.REJOIN
    return {
        "member": member,
        "pos": pos,
        "terms": terms,
        "paying": member.status in services.PAYING,
        "lapsed": lapsed,
        # Under "rejoin" terms a lapsed member's old arrears are waived when the treasurer
        # reinstates them; money taken before that would go to the period that is waived.
        "wait_reinstatement": lapsed and rejoin,
        "quick": quick_choices(pos) if pos is not None else [],
        **extra,
    }


@require_http_methods(["GET", "POST"])
@fund_permission_required(COLLECT)
def session_pay(request: HttpRequest, fund_code: str, session: Any, member: Any) -> HttpResponse:
    obj = _session(request, session, act=request.method == "POST")
    person = _member(request, member)
    terms = _terms(request)
    pos = member_position(person, obj.date, terms)
    if request.method == "POST":
        form = PayForm(request.POST)
    else:
        initial = {"amount": default_amount(pos), "key": new_key()} if pos else {}
        form = PayForm(initial=initial)
    receipt = submit(
        request,
        form,
        lambda: services.payment_record(
            member=person,
            actor=request.user,
            amount=form.cleaned_data["amount"],
            session=obj,
            idempotency_key=str(form.cleaned_data["key"]),
        ),
        _paid_message,
    )
    if receipt is not None:
        return see_other(_session_url(obj, last=str(receipt.code)))
    context = _pay_context(
        person,
        pos,
        terms,
        session=obj,
        form=form,
        can_collect=obj.collector_id == request.user.pk and obj.state == OPEN,
    )
    status = 400 if form.is_bound else 200
    record_member_view(request=request, member=person, what="collect_pay")
    return render(request, "contributions/collect/pay.html", context, status=status)


@require_http_methods(["GET", "POST"])
@fund_permission_required(COLLECT)
def session_close(request: HttpRequest, fund_code: str, session: Any) -> HttpResponse:
    obj = _session(request, session, act=request.method == "POST")
    form = CloseForm(request.POST if request.method == "POST" else None)

    def closed_message(s: CollectionSession) -> str:
        diff = s.difference or Decimal(0)
        if not diff:
            return _("The session is closed: the cash matches the receipts.")
        if diff < 0:
            text = _(
                "The session is closed: the cash is short by %(amount)s baht. "
                "The treasurer records the difference when taking the money."
            )
        else:
            text = _(
                "The session is closed: the cash is over by %(amount)s baht. "
                "The treasurer records the difference when taking the money."
            )
        return text % {"amount": format_baht(abs(diff))}

    closed = submit(
        request,
        form,
        lambda: services.session_close(
            session=obj,
            actor=request.user,
            counted=form.cleaned_data["counted"],
            note=form.cleaned_data["note"],
        ),
        closed_message,
    )
    if closed is not None:
        return see_other(_session_url(obj))
    receipts = obj.receipts.filter(void_entry__isnull=True)
    context = {
        "session": obj,
        "form": form,
        "count": receipts.count(),
        "total": services.session_total(obj),
        "can_close": obj.collector_id == request.user.pk and obj.state == OPEN,
        **_difference(obj),
    }
    status = 400 if form.is_bound else 200
    return render(request, "contributions/collect/close.html", context, status=status)


@require_POST
@fund_permission_required(MANAGE_CONTRIBUTIONS)
def session_accept(request: HttpRequest, fund_code: str, session: Any) -> HttpResponse:
    obj = _session(request, session)
    try:
        accepted = services.session_accept(session=obj, actor=request.user)
    except ValidationError as exc:
        return _session_page(request, obj, error=" ".join(exc.messages), status=400)
    messages.success(
        request,
        _("You received the money of %(collector)s's session of %(date)s.")
        % {"collector": accepted.collector, "date": format_date(accepted.date, "long")},
    )
    return see_other(_session_url(accepted))


# --- The treasurer's desk --------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@fund_permission_required(MANAGE_CONTRIBUTIONS)
def desk_pay(request: HttpRequest, fund_code: str, member: Any) -> HttpResponse:
    """A payment brought to the office or paid into the bank, with its own date."""
    fund = current_fund(request)
    person = _member(request, member)
    terms = _terms(request)
    today = timezone.localdate()
    pos = member_position(person, today, terms)
    if request.method == "POST":
        form = DeskPayForm(request.POST, fund=fund)
    else:
        initial: dict[str, Any] = {
            "date": today,
            "money_account": active_money_accounts(fund).filter(role="cash").first(),
            "key": new_key(),
        }
        if pos is not None:
            initial["amount"] = default_amount(pos)
        form = DeskPayForm(fund=fund, initial=initial)
    receipt = submit(
        request,
        form,
        lambda: services.payment_record(
            member=person,
            actor=request.user,
            amount=form.cleaned_data["amount"],
            date=form.cleaned_data["date"],
            money_account=form.cleaned_data["money_account"],
            idempotency_key=str(form.cleaned_data["key"]),
        ),
        _paid_message,
    )
    if receipt is not None:
        return see_other(
            reverse("contributions-member", kwargs={"fund_code": fund.code, "member": person.code})
        )
    context = _pay_context(person, pos, terms, form=form, today=today)
    status = 400 if form.is_bound else 200
    record_member_view(request=request, member=person, what="desk_pay")
    return render(request, "contributions/collect/desk_pay.html", context, status=status)
