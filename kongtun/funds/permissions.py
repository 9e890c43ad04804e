"""Per-fund roles and the named permissions each one carries.

Views ask for a permission by name, never for a role, so a fund's roles can change without
touching a view. Later capabilities add their permissions here.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CHAIR = "chair", _("Chair")
    TREASURER = "treasurer", _("Treasurer")
    SECRETARY = "secretary", _("Secretary")
    COMMITTEE = "committee", _("Committee member")
    COLLECTOR = "collector", _("Collector")
    AUDITOR = "auditor", _("Auditor (read-only)")


VIEW_FUND = "fund.view"
CHANGE_FUND = "fund.change"
VIEW_MEMBERS = "members.view"
CHANGE_MEMBERS = "members.change"
IMPORT_MEMBERS = "members.import"
REVEAL_NATIONAL_ID = "members.reveal_id"
VIEW_AUDIT = "audit.view"
VIEW_BOOKS = "ledger.view"
MAKE_VOUCHER = "ledger.make_voucher"
APPROVE_VOUCHER = "ledger.approve_voucher"
POST_ENTRIES = "ledger.post"  # reversals, bank reconciliation, new accounts
CLOSE_PERIOD = "ledger.close_period"
REOPEN_PERIOD = "ledger.reopen_period"
COLLECT = "contributions.collect"  # open a collection session and take payments
MANAGE_CONTRIBUTIONS = "contributions.manage"  # plans, terms, lapse, opening balances, hand-over
VOID_RECEIPT = "contributions.void"
CO_FUNDING = "contributions.cofunding"  # co-funders' money and matching terms
# Claims hold health data (PDPA s.26): collectors do not see them.
VIEW_CLAIMS = "welfare.view"
FILE_CLAIM = "welfare.file"  # take a claim and its evidence
DECIDE_CLAIMS = "welfare.decide"  # hold the committee meeting and record its resolutions
PAY_CLAIM = "welfare.pay"
MANAGE_REGULATIONS = "welfare.regulations"  # draft and adopt regulation versions
# The year's results, problems and obstacles the fund reports to the network and province.
REPORT_OUTCOMES = "outcomes.report"
# Download CODI's forms filled from the fund's records (the preview is VIEW_FUND).
CODI_FORMS = "codi.forms"
# Publish a closed meeting's summary on the fund's public page, or withdraw it.
PUBLISH_SUMMARIES = "public.publish"
# PDPA: read the record of processing; give a member everything the fund holds about them
# (national ID in full); pseudonymise a member who asked to be erased.
VIEW_PRIVACY = "privacy.view"
EXPORT_PERSONAL_DATA = "privacy.export"
ERASE_MEMBER = "privacy.erase"

_READ = {VIEW_FUND, VIEW_MEMBERS, VIEW_BOOKS}
_MEMBER_WRITE = {CHANGE_MEMBERS, IMPORT_MEMBERS, REVEAL_NATIONAL_ID}
_BOOKS = {MAKE_VOUCHER, APPROVE_VOUCHER, POST_ENTRIES, CLOSE_PERIOD}
_CONTRIBUTIONS = {COLLECT, MANAGE_CONTRIBUTIONS, VOID_RECEIPT, CO_FUNDING}
_WELFARE = {VIEW_CLAIMS, FILE_CLAIM, DECIDE_CLAIMS, PAY_CLAIM, MANAGE_REGULATIONS}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    # Only the chair may reopen closed books.
    Role.CHAIR: frozenset(
        _READ
        | _MEMBER_WRITE
        | _BOOKS
        | _CONTRIBUTIONS
        | _WELFARE
        | {CHANGE_FUND, VIEW_AUDIT, REOPEN_PERIOD, REPORT_OUTCOMES, CODI_FORMS, PUBLISH_SUMMARIES}
        | {VIEW_PRIVACY, EXPORT_PERSONAL_DATA, ERASE_MEMBER}
    ),
    Role.TREASURER: frozenset(
        _READ
        | _MEMBER_WRITE
        | _BOOKS
        | _CONTRIBUTIONS
        | {VIEW_AUDIT, VIEW_CLAIMS, FILE_CLAIM, PAY_CLAIM, CODI_FORMS, EXPORT_PERSONAL_DATA}
    ),
    # The secretary takes claims, keeps the minutes (and writes their public summary) and
    # drafts the regulation.
    Role.SECRETARY: frozenset(
        _READ
        | _MEMBER_WRITE
        | {MAKE_VOUCHER, COLLECT, VIEW_CLAIMS, FILE_CLAIM, DECIDE_CLAIMS, MANAGE_REGULATIONS}
        | {REPORT_OUTCOMES, CODI_FORMS, PUBLISH_SUMMARIES}
        | {VIEW_PRIVACY, EXPORT_PERSONAL_DATA}
    ),
    # A committee member is the usual second person who approves a voucher.
    Role.COMMITTEE: frozenset(_READ | {APPROVE_VOUCHER, VIEW_CLAIMS, DECIDE_CLAIMS}),
    Role.COLLECTOR: frozenset(_READ | {COLLECT}),
    # The auditor reads everything, including the audit trail, and changes nothing.
    Role.AUDITOR: frozenset(_READ | {VIEW_AUDIT, VIEW_CLAIMS, CODI_FORMS, VIEW_PRIVACY}),
}


def role_permissions(role: str) -> frozenset[str]:
    return ROLE_PERMISSIONS.get(role, frozenset())
