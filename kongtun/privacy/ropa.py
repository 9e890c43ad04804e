"""The record of processing (PDPA §39): every field that holds personal data, why it is kept,
on which lawful basis, for how long and who sees it.

This map is the one source: the chair's page, `docs/privacy.md` and the retention job read it,
and a test walks every field of every model about a person (a member, a claim, a user, a
committee seat) and fails when a field is neither here nor in NOT_PERSONAL.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kongtun.funds import permissions as perm
from kongtun.funds.permissions import Role, role_permissions


class Basis(models.TextChoices):
    CONTRACT = "s24_3", _("Contract: running the membership (PDPA §24(3))")
    LEGAL = "s24_6", _("Legal obligation: the fund's accounts and records (PDPA §24(6))")
    LEGITIMATE = "s24_5", _("Legitimate interest: who did what, for accountability (PDPA §24(5))")
    EXPLICIT_CONSENT = "s26", _("Explicit consent: health and disability data (PDPA §26)")


@dataclass(frozen=True)
class Retention:
    """How long data of a purpose is kept. `days` is what the retention job enforces, counted
    from the event `after` names; None means the job does not delete it (see `text`)."""

    text: str | Promise
    days: int | None = None


# What the retention job enforces; docs/privacy.md explains each.
APPLICANT_DAYS = 365  # an application never approved
EVIDENCE_DAYS = 5 * 365  # claim evidence files after the claim closed (Accounting Act §14)
FINISHED_MEMBER_DAYS = 10 * 365  # a member who left, died or was expelled
ACCESS_LOG_DAYS = 2 * 365  # "who viewed which member" rows


@dataclass(frozen=True)
class Purpose:
    key: str
    title: str | Promise
    basis: Basis
    retention: Retention
    seen_by: tuple[str, ...]  # permissions

    @property
    def roles(self) -> list[str]:
        """The fund roles that see it: any one of the permissions is enough."""
        return [
            str(role.label)
            for role in Role
            if any(p in role_permissions(role.value) for p in self.seen_by)
        ]


PURPOSES: tuple[Purpose, ...] = (
    Purpose(
        "register",
        _("Member register: who the member is and how to reach them"),
        Basis.CONTRACT,
        Retention(
            _(
                "While a member; applicants never approved: 1 year; 10 years after the member "
                "left, died or was expelled, then pseudonymised"
            ),
            FINISHED_MEMBER_DAYS,
        ),
        (perm.VIEW_MEMBERS,),
    ),
    Purpose(
        "national_id",
        _("National ID: one person is one member; shown in full only when revealed (logged)"),
        Basis.CONTRACT,
        Retention(_("As the member register; erased by pseudonymisation")),
        (perm.REVEAL_NATIONAL_ID, perm.EXPORT_PERSONAL_DATA),
    ),
    Purpose(
        "beneficiaries",
        _("Beneficiaries: who receives the death benefit"),
        Basis.CONTRACT,
        Retention(_("As the member register")),
        (perm.VIEW_MEMBERS,),
    ),
    Purpose(
        "consents",
        _("Consents: proof of what the member agreed to, and when it was withdrawn"),
        Basis.LEGAL,
        Retention(_("As the member register (the proof outlives use of the data)")),
        (perm.VIEW_MEMBERS,),
    ),
    Purpose(
        "money",
        _("Contributions, receipts and payments: the fund's accounts"),
        Basis.LEGAL,
        Retention(
            _(
                "Kept: amounts are never deleted (Accounting Act §14, at least 5 years); the "
                "person is pseudonymised on erasure"
            )
        ),
        (perm.VIEW_MEMBERS, perm.VIEW_BOOKS),
    ),
    Purpose(
        "claims",
        _("Welfare claims: who asked for what, the committee's decision and the payment"),
        Basis.CONTRACT,
        Retention(_("Kept with the accounts; the person is pseudonymised on erasure")),
        (perm.VIEW_CLAIMS,),
    ),
    Purpose(
        "health",
        _("Health and disability: hospital stays, illness, disability, evidence files"),
        Basis.EXPLICIT_CONSENT,
        Retention(
            _("Evidence files: 5 years after the claim closed; the rest as the claim"),
            EVIDENCE_DAYS,
        ),
        (perm.VIEW_CLAIMS,),
    ),
    Purpose(
        "staff",
        _("Users and the committee: who may log in, who sat on the committee"),
        Basis.LEGITIMATE,
        Retention(_("While the account or the term lasts, then kept with the fund's records")),
        (perm.CHANGE_FUND, perm.VIEW_FUND),
    ),
    Purpose(
        "accountability",
        _("Who recorded, approved or changed what, and when (audit trail)"),
        Basis.LEGITIMATE,
        Retention(
            _(
                "Kept: the audit trail is hash-chained and cannot be rewritten; access-log "
                "rows 2 years"
            ),
            ACCESS_LOG_DAYS,
        ),
        (perm.VIEW_AUDIT,),
    ),
)

_BY_KEY = {p.key: p for p in PURPOSES}


@dataclass(frozen=True)
class Record:
    """Fields of one model kept for one purpose."""

    model: str  # app_label.ModelName
    fields: tuple[str, ...]
    purpose: str
    note: str | Promise = ""

    @property
    def purpose_obj(self) -> Purpose:
        return _BY_KEY[self.purpose]


def _r(model: str, fields: str, purpose: str, note: str | Promise = "") -> Record:
    return Record(model, tuple(fields.split()), purpose, note)


ROPA: tuple[Record, ...] = (
    _r(
        "members.Member",
        "title first_name last_name birth_date phone house_no moo street tambon branch",
        "register",
    ),
    _r("members.Member", "number joined_on status status_since created_at updated_at", "register"),
    _r(
        "members.Member",
        "member_type",
        "health",
        _("“Person with disability” is disability data: needs the member's explicit consent"),
    ),
    _r(
        "members.Member",
        "national_id_encrypted national_id_index national_id_tail",
        "national_id",
        _("Encrypted; a keyed index finds it; only the last 3 digits are shown"),
    ),
    _r("members.Beneficiary", "full_name relationship share_percent", "beneficiaries"),
    _r(
        "members.Beneficiary",
        "national_id_encrypted national_id_index national_id_tail",
        "national_id",
    ),
    _r("members.Consent", "purpose channel given_on withdrawn_on", "consents"),
    _r("members.StatusChange", "event from_status to_status effective_on note", "register"),
    _r("contributions.MemberPlan", "plan epoch starts_on", "money"),
    _r("contributions.Standing", "epoch credit paid_through fees_due updated_at", "money"),
    _r(
        "contributions.Receipt",
        "date fiscal_year seq contribution fee total epoch paid_through money_account session "
        "entry void_entry void_reason voided_at",
        "money",
    ),
    _r("contributions.PastPayment", "date amount reference batch", "money"),
    _r("contributions.MatchedMember", "funder fiscal_year expected", "money"),
    _r(
        "ledger.Voucher",
        "party description date number kind money_account status entry rejection_reason",
        "money",
        _("A welfare payment names its payees on the voucher; its book entry names no one"),
    ),
    _r(
        "welfare.Claim",
        "number benefit regulation key recipient person_name person_address person_birth_date "
        "event_date fiscal_year filed_on status outcome reasons meeting resolution votes_for "
        "votes_against votes_abstain decision_note voucher deducted_receipt paid_on "
        "withdrawn_reason",
        "claims",
    ),
    _r(
        "welfare.Claim",
        "details nights nights_paid claimed assessed_amount full_amount approved_amount",
        "health",
        _("What happened (illness, hospital nights) for illness and disability benefits"),
    ),
    _r(
        "welfare.Payee",
        "name beneficiary share_percent amount acknowledged_on acknowledged_how",
        "claims",
    ),
    _r(
        "welfare.Document",
        "label original_name stored_name content_type size sha256",
        "health",
        _("Medical certificates and bills, stored outside the web root"),
    ),
    _r(
        "accounts.User",
        "username first_name last_name full_name email password last_login date_joined",
        "staff",
    ),
    _r("accounts.User", "is_active is_staff is_superuser sessions_version", "staff"),
    _r(
        "funds.CommitteeMember",
        "full_name position representing term_start term_end user",
        "staff",
        _("Committee names are printed on CODI's forms and the fund's public page"),
    ),
    _r("funds.FundRole", "user role is_active granted_at", "staff"),
    _r("funds.OfficerAssignment", "user level area_code", "staff"),
    _r(
        "accounts.MFADevice",
        "user secret_encrypted confirmed_at last_step failures locked_until created_at "
        "failures_today failures_since blocked_at",
        "staff",
        _("Two-step login: the shared secret is encrypted"),
    ),
    _r("accounts.RecoveryCode", "user code_hash used_at", "staff", _("Only a keyed hash")),
    # Every "who did it" stamp on a record about a member.
    _r("members.Consent", "recorded_by", "accountability"),
    _r("members.StatusChange", "recorded_by recorded_at", "accountability"),
    _r("contributions.MemberPlan", "recorded_by recorded_at", "accountability"),
    _r("contributions.Receipt", "received_by created_at voided_by", "accountability"),
    _r("contributions.MatchedMember", "recorded_by recorded_at", "accountability"),
    _r("ledger.Voucher", "made_by made_at decided_by decided_at", "accountability"),
    _r(
        "welfare.Claim",
        "entered_by entered_at decided_by decided_at paid_by",
        "accountability",
    ),
    _r("welfare.Payee", "acknowledged_by", "accountability"),
    _r("welfare.Document", "uploaded_by uploaded_at", "accountability"),
    _r(
        "audit.AuditEntry",
        "actor at action object_type object_id data",
        "accountability",
        _("Before/after of each change, names included; cannot be rewritten (hash chain)"),
    ),
    _r(
        "audit.MemberView",
        "user at what path",
        "accountability",
        _("Who viewed which member's data, for a breach notice (PDPA §37(4)); 2 years"),
    ),
    _r("privacy.Erasure", "erased_at erased_by reason", "accountability"),
    _r("contributions.CollectionSession", "collector accepted_by", "accountability"),
)

# Fields of the models in scope that hold no personal data, with the reason.
_KEYS = "keys and links: identify the row, not the person"
NOT_PERSONAL: dict[str, dict[str, str]] = {
    "members.Member": {"id": _KEYS, "code": _KEYS, "fund": _KEYS, "import_batch": _KEYS},
    "members.Beneficiary": {"id": _KEYS, "fund": _KEYS, "member": _KEYS},
    "members.Consent": {"id": _KEYS, "fund": _KEYS, "member": _KEYS},
    "members.StatusChange": {"id": _KEYS, "fund": _KEYS, "member": _KEYS},
    "contributions.MemberPlan": {"id": _KEYS, "fund": _KEYS, "member": _KEYS},
    "contributions.Standing": {"member": _KEYS, "fund": _KEYS},
    "contributions.Receipt": {
        "id": _KEYS,
        "code": _KEYS,
        "fund": _KEYS,
        "member": _KEYS,
        "idempotency_key": "a random token of the form, against double posting",
    },
    "contributions.PastPayment": {"id": _KEYS, "fund": _KEYS, "member": _KEYS},
    "contributions.MatchedMember": {"id": _KEYS, "fund": _KEYS, "member": _KEYS},
    "ledger.Voucher": {
        "id": _KEYS,
        "code": _KEYS,
        "fund": _KEYS,
        "member": _KEYS,
        "idempotency_key": "a random token of the form, against double posting",
    },
    "welfare.Claim": {
        "id": _KEYS,
        "code": _KEYS,
        "fund": _KEYS,
        "member": _KEYS,
        "idempotency_key": "a random token of the form, against double posting",
    },
    "welfare.Payee": {"id": _KEYS, "fund": _KEYS, "claim": _KEYS},
    "welfare.Document": {"id": _KEYS, "code": _KEYS, "fund": _KEYS, "claim": _KEYS},
    "accounts.User": {"id": _KEYS},
    "funds.CommitteeMember": {"id": _KEYS, "fund": _KEYS},
    "audit.AuditEntry": {
        "id": _KEYS,
        "fund": _KEYS,
        "chain": "which hash chain",
        "seq": "position in the chain",
        "prev_hash": "hash chain",
        "hash": "hash chain",
    },
    "privacy.Erasure": {"id": _KEYS, "fund": _KEYS, "member": _KEYS},
    "audit.MemberView": {"id": _KEYS, "fund": _KEYS, "member": _KEYS},
    "funds.FundRole": {"id": _KEYS, "fund": _KEYS},
    "accounts.MFADevice": {"id": _KEYS},
    "accounts.RecoveryCode": {"id": _KEYS},
    "funds.OfficerAssignment": {"id": _KEYS},
    "contributions.CollectionSession": dict.fromkeys(
        [
            "id",
            "code",
            "fund",
            "branch",
            "date",
            "place",
            "state",
            "opened_at",
            "expected",
            "counted",
            "note",
            "closed_at",
            "accepted_at",
            "difference_entry",
        ],
        "a collection round: place, times and cash counted, about no member",
    ),
}

# Models about a person besides those found by their links (see `models_in_scope`).
_ALWAYS = ("accounts.User", "funds.CommitteeMember", "audit.AuditEntry", "privacy.Erasure")
# A link to a user by these names only says who did something (accountability), it does not
# make the row a record about that user.
_STAMPS = ("actor", "collector")


def _about_a_user(field: models.Field[object, object]) -> bool:
    return field.related_model is get_user_model() and not (
        field.name.endswith("_by") or field.name in _STAMPS
    )


def models_in_scope() -> list[type[models.Model]]:
    """The models that hold data about a person: the member, the user, every model of the
    project with a link to a member or to a welfare claim (a claim is about a person even when
    it is for a non-member), and every model linked to a user other than by a who-did-it stamp
    (a role, a login device). A new model with such a link is in scope the moment it exists,
    so the meta-test catches it."""
    member = apps.get_model("members", "Member")
    claim = apps.get_model("welfare", "Claim")
    found: list[type[models.Model]] = []
    for model in apps.get_models():
        if not model.__module__.startswith("kongtun."):
            continue
        relations = [f for f in model._meta.concrete_fields if f.is_relation]
        if (
            model is member
            or model is get_user_model()
            or model._meta.label in _ALWAYS
            or any(f.related_model in (member, claim) for f in relations)
            or any(_about_a_user(f) for f in relations)
        ):
            found.append(model)
    return found


def field_purposes() -> dict[tuple[str, str], Record]:
    mapped: dict[tuple[str, str], Record] = {}
    for record in ROPA:
        for name in record.fields:
            mapped[(record.model, name)] = record
    return mapped


def unmapped_fields() -> list[str]:
    """Fields of models in scope that are neither in the ROPA nor declared not personal."""
    mapped = field_purposes()
    missing = []
    for model in models_in_scope():
        label = model._meta.label
        for f in model._meta.concrete_fields:
            if (label, f.name) not in mapped and f.name not in NOT_PERSONAL.get(label, {}):
                missing.append(f"{label}.{f.name}")
    return missing


def stale_entries() -> list[str]:
    """ROPA or allow-list entries naming a field that no longer exists."""
    stale = []
    names = [(r.model, n) for r in ROPA for n in r.fields]
    names += [(m, n) for m, fields in NOT_PERSONAL.items() for n in fields]
    for label, name in names:
        try:
            model = apps.get_model(label)
        except LookupError:
            stale.append(f"{label} (no such model)")
            continue
        if name not in {f.name for f in model._meta.concrete_fields}:
            stale.append(f"{label}.{name}")
    return stale


@dataclass(frozen=True)
class Row:
    """One line of the rendered record: a purpose and the fields kept for it."""

    purpose: Purpose
    model: str  # the model's verbose name
    label: str
    fields: list[str]  # verbose names
    note: str
    names: tuple[str, ...] = ()  # the fields' names


# Labels for the fields and models the record shows whose own verbose name is an untranslated
# default ("recorded by", "made at"): the record gives them its own, rather than reaching into
# other apps' models.
_FIELD_LABELS: dict[str, Promise] = {
    "accepted_by": _("accepted by"), "acknowledged_by": _("acknowledged by"),
    "blocked_at": _("blocked at"), "failures_since": _("counting wrong codes since"),
    "failures_today": _("wrong codes today"), "sessions_version": _("login sessions version"),
    "actor": _("done by"), "amount": _("amount"), "assessed_amount": _("assessed amount"),
    "batch": _("import batch"), "beneficiary": _("beneficiary"), "benefit": _("benefit"),
    "code_hash": _("code (keyed hash)"), "collector": _("collector"),
    "confirmed_at": _("confirmed at"), "content_type": _("file type"),
    "created_at": _("created at"), "credit": _("credit"), "data": _("details of the change"),
    "date": _("date"), "decided_at": _("decided at"), "decided_by": _("decided by"),
    "deducted_receipt": _("receipt of the deducted dues"), "entered_at": _("entered at"),
    "entered_by": _("entered by"), "entry": _("book entry"), "epoch": _("membership period"),
    "erased_by": _("erased by"), "expected": _("expected amount"), "failures": _("failed tries"),
    "fees_due": _("fees due"), "fiscal_year": _("fiscal year"), "from_status": _("from status"),
    "full_amount": _("full amount"), "funder": _("matching funder"), "granted_at": _("granted at"),
    "key": _("benefit key"), "last_step": _("last code step used"),
    "locked_until": _("locked until"), "made_at": _("made at"), "made_by": _("made by"),
    "meeting": _("meeting"), "money_account": _("cash or bank account"),
    "national_id_encrypted": _("national ID (encrypted)"),
    "national_id_index": _("national ID (keyed index)"),
    "national_id_tail": _("last 3 digits of the national ID"), "nights_paid": _("nights paid"),
    "object_id": _("record number"), "object_type": _("kind of record"),
    "original_name": _("file name"), "outcome": _("outcome"), "paid_by": _("paid by"),
    "paid_on": _("paid on"), "paid_through": _("paid through"), "path": _("page address"),
    "plan": _("contribution plan"), "reasons": _("reasons"), "received_by": _("received by"),
    "recorded_at": _("recorded at"), "recorded_by": _("recorded by"),
    "reference": _("reference"), "regulation": _("regulation"),
    "rejection_reason": _("reason for rejection"), "secret_encrypted": _("secret (encrypted)"),
    "seq": _("receipt sequence"), "session": _("collection round"), "sha256": _("file checksum"),
    "share_percent": _("share (%)"), "size": _("file size"), "status": _("status"),
    "stored_name": _("stored file name"), "to_status": _("to status"),
    "updated_at": _("updated at"), "uploaded_at": _("uploaded at"),
    "uploaded_by": _("uploaded by"), "used_at": _("used at"), "user": _("user"),
    "void_entry": _("voiding book entry"), "voided_at": _("voided at"),
    "voided_by": _("voided by"), "voucher": _("voucher"),
    "withdrawn_reason": _("reason for withdrawal"),
}  # fmt: skip
_MODEL_LABELS: dict[str, Promise] = {
    "accounts.RecoveryCode": _("recovery code"),
    "contributions.MatchedMember": _("matched member"),
    "contributions.MemberPlan": _("member's plan"),
    "contributions.PastPayment": _("past payment"),
    "contributions.Standing": _("member's standing"),
    "welfare.Document": _("claim document"),
    "welfare.Payee": _("payee"),
}


def field_label(model: type[models.Model], name: str) -> str | Promise:
    """The field's own verbose name when it is translated, else the record's label."""
    field = model._meta.get_field(name)
    label = getattr(field, "verbose_name", name)
    return label if isinstance(label, Promise) else _FIELD_LABELS.get(name, str(label))


def model_label(model: type[models.Model]) -> str | Promise:
    label = model._meta.verbose_name
    if model._meta.label in _MODEL_LABELS:
        return _MODEL_LABELS[model._meta.label]
    return label if isinstance(label, Promise) else str(label)


def untranslated_labels() -> list[str]:
    """Fields and models the record would show in English whatever the language."""
    found = []
    for record in ROPA:
        model = apps.get_model(record.model)
        if not isinstance(model_label(model), Promise):
            found.append(record.model)
        found += [
            f"{record.model}.{n}"
            for n in record.fields
            if not isinstance(field_label(model, n), Promise)
        ]
    return found


def rows() -> Iterator[Row]:
    for purpose in PURPOSES:
        for record in ROPA:
            if record.purpose != purpose.key:
                continue
            model = apps.get_model(record.model)
            names = [str(field_label(model, n)) for n in record.fields]
            yield Row(
                purpose,
                str(model_label(model)),
                record.model,
                names,
                str(record.note),
                record.fields,
            )


DOCS_START = "<!-- ropa:start (generated by `manage.py ropa --write`; do not edit) -->"
DOCS_END = "<!-- ropa:end -->"


def ropa_markdown() -> str:
    """The record as Markdown, in English (call inside translation.override("en"))."""
    out: list[str] = []
    for purpose in PURPOSES:
        out.append(f"### {purpose.title}")
        out.append("")
        out.append(f"- Lawful basis: {purpose.basis.label}")
        out.append(f"- Retention: {purpose.retention.text}")
        out.append(f"- Seen by: {', '.join(purpose.roles) or '—'}")
        out.append("")
        out.append("| Model | Fields | Note |")
        out.append("|---|---|---|")
        for row in rows():
            if row.purpose.key == purpose.key:
                fields = ", ".join(f"`{n}`" for n in row.names)
                out.append(f"| `{row.label}` | {fields} | {row.note} |")
        out.append("")
    return "\n".join(out)


def docs_with_ropa(text: str) -> str:
    """`text` (docs/privacy.md) with its generated block replaced by the current record."""
    head, start, rest = text.partition(DOCS_START)
    _old, end, tail = rest.partition(DOCS_END)
    if not start or not end:
        raise ValueError("docs/privacy.md lacks the ropa markers")
    return f"{head}{DOCS_START}\n\n{ropa_markdown()}\n{DOCS_END}{tail}"
