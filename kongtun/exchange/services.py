"""Every write of the exchange: the fund's signing key and exports on its computer; trusted
keys and imports on the province server.

An import is checked completely (zip safety, the fund, its key, the signature, every file's
hash, the contents) before anything is written, then written in one transaction: a refused
package leaves no trace, and an ignored one (already imported, or older) changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from kongtun.audit.services import Change, audit_log
from kongtun.exchange import contents, keys
from kongtun.exchange.models import ExportLog, FundSigningKey, ImportedPackage, TrustedKey
from kongtun.exchange.package import (
    FULL,
    INDICATORS,
    MONTHLY,
    OpenedPackage,
    PackageRefused,
    dumps,
    open_package,
    package_filename,
    write_package,
)
from kongtun.funds.models import Fund
from kongtun.funds.tenancy import fund_scope
from kongtun.indicators.models import IndicatorSnapshot
from kongtun.ledger.chart import TEMPLATE
from kongtun.ledger.models import Account, MonthlyTotal
from kongtun.ledger.services import chart_install
from kongtun.lib.crypto import decrypt_bytes, encrypt_bytes
from kongtun.lib.thaidate import format_date

# --- On the fund's computer: the key and the export -------------------------------------------


def signing_key_get_or_create(*, fund: Fund, actor: Any) -> FundSigningKey:
    """The fund's signing key on this computer, made (and audited) the first time."""
    with transaction.atomic():
        found = FundSigningKey.objects.filter(fund=fund).first()
        if found is not None:
            return found
        private = keys.new_private_key()
        public = keys.public_bytes(private)
        key = FundSigningKey.objects.create(
            fund=fund,
            public_key=public,
            private_key_encrypted=encrypt_bytes(keys.private_bytes(private)),
            fingerprint=keys.fingerprint(public),
            created_by=actor,
        )
        audit_log(
            fund=fund,
            actor=actor,
            changes=[
                Change.of("exchange.key.created", key, after={"fingerprint": key.fingerprint})
            ],
        )
    return key


def public_key_text(key: FundSigningKey) -> str:
    return keys.key_text(fund_code=key.fund.code, public=bytes(key.public_key))


@dataclass
class ExportedPackage:
    log: ExportLog
    file: IO[bytes]  # the zip, positioned at its start

    @property
    def filename(self) -> str:
        return self.log.filename


def package_export(
    *,
    fund: Fund,
    actor: Any,
    as_of: dt.date,
    include_full_data: bool = False,
    purpose: str = "",
    today: dt.date | None = None,
    out: IO[bytes] | None = None,
) -> ExportedPackage:
    """Make the fund's next signed package as of `as_of`, into `out` (a temporary file if None).

    Personal data leaves the computer only in full.json, only when asked for with its purpose
    stated, and the export log and audit trail record both.
    """
    today = today or timezone.localdate()
    purpose = purpose.strip()
    if fund.runs_on == Fund.RunsOn.OWN_COMPUTER:
        raise ValidationError(
            _(
                "This server keeps only what this fund's packages carry; packages are made on "
                "the fund's own computer."
            )
        )
    if as_of > today:
        raise ValidationError({"as_of": [_("The date cannot be in the future.")]})
    if as_of < fund.founded_on:
        raise ValidationError({"as_of": [_("The fund was not founded yet on this date.")]})
    if include_full_data and not purpose:
        raise ValidationError(
            {"purpose": [_("Say why the province needs the members' personal data.")]}
        )
    key = signing_key_get_or_create(fund=fund, actor=actor)
    out = out if out is not None else tempfile.TemporaryFile()  # noqa: SIM115 - returned open
    with transaction.atomic():
        # One export of a fund at a time, so package numbers never repeat.
        key = FundSigningKey.objects.select_for_update().get(pk=key.pk)
        last = ExportLog.objects.filter(fund=fund).aggregate(n=Max("sequence"))["n"] or 0
        sequence = last + 1
        package_id = uuid.uuid4()
        filename = package_filename(fund.code, as_of, sequence)
        through = contents.last_whole_month(as_of)
        files: list[tuple[str, Any]] = [
            (INDICATORS, _writes(dumps(contents.indicators_data(fund, as_of)))),
            (MONTHLY, _writes(dumps(contents.monthly_data(fund, through)))),
        ]
        for name, data in contents.annual_forms(fund, as_of):
            files.append((f"forms/{name}", _writes(data)))
        if include_full_data:
            files.append((FULL, lambda stream: contents.write_full_data(fund, stream)))
        created_at = timezone.now()
        write_package(
            out,
            manifest={
                "package_id": str(package_id),
                "fund": {"code": fund.code, "name": fund.name, "tambon": fund.tambon_id},
                "as_of": as_of.isoformat(),
                "monthly_through": through,
                "sequence": sequence,
                "created_at": created_at.isoformat(),
                "includes_full_data": include_full_data,
                "key_fingerprint": key.fingerprint,
                "software": "kongtun",
            },
            files=files,
            private_key=keys.private_key_from(decrypt_bytes(bytes(key.private_key_encrypted))),
        )
        sha256, size = _digest(out)
        log = ExportLog.objects.create(
            fund=fund,
            sequence=sequence,
            package_id=package_id,
            as_of=as_of,
            includes_full_data=include_full_data,
            purpose=purpose if include_full_data else "",
            filename=filename,
            size=size,
            sha256=sha256,
            created_by=actor,
        )
        audit_log(
            fund=fund,
            actor=actor,
            changes=[
                Change.of(
                    "exchange.package.exported",
                    log,
                    after={
                        "package_id": str(package_id),
                        "sequence": sequence,
                        "as_of": as_of.isoformat(),
                        "includes_full_data": include_full_data,
                        "purpose": log.purpose,
                        "sha256": sha256,
                    },
                )
            ],
        )
    return ExportedPackage(log, out)


def _writes(data: bytes) -> Any:
    return lambda stream: stream.write(data)


def _digest(file: IO[bytes]) -> tuple[str, int]:
    """(sha256, size) of a whole file, left positioned at its start."""
    file.seek(0)
    sha, size = hashlib.sha256(), 0
    while chunk := file.read(1024 * 1024):
        sha.update(chunk)
        size += len(chunk)
    file.seek(0)
    return sha.hexdigest(), size


# --- On the province server: trusted keys ----------------------------------------------------


def trusted_key_check(*, fund: Fund, text: str) -> bytes:
    """The raw public key in `text`, if it is the fund's; ValidationError on "key" otherwise."""
    try:
        code, public = keys.parse_key_text(text)
    except keys.InvalidKeyText as exc:
        raise ValidationError({"key": [exc.reason]}) from exc
    if code != fund.code:
        raise ValidationError(
            {
                "key": [
                    _("This key belongs to fund “%(code)s”, not to %(name)s.")
                    % {"code": code, "name": fund.name}
                ]
            }
        )
    if fund.runs_on != Fund.RunsOn.OWN_COMPUTER:
        raise ValidationError({"fund": [_not_own_computer(fund)]})
    return public


def trusted_key_register(*, fund: Fund, actor: Any, text: str) -> TrustedKey:
    """Trust the key the fund's chair sent: packages it signs are the fund's from now on."""
    public = trusted_key_check(fund=fund, text=text)
    with transaction.atomic(), fund_scope(fund):
        Fund.objects.select_for_update().get(pk=fund.pk)
        current = TrustedKey.objects.filter(fund=fund, revoked_at__isnull=True).first()
        if current is not None:
            if bytes(current.public_key) == public:
                raise ValidationError({"key": [_("This key is already registered.")]})
            raise ValidationError(
                {
                    "key": [
                        _(
                            "%(name)s already has a key in force (fingerprint %(fingerprint)s). "
                            "Revoke it first."
                        )
                        % {"name": fund.name, "fingerprint": current.fingerprint}
                    ]
                }
            )
        key = TrustedKey.objects.create(
            fund=fund, public_key=public, fingerprint=keys.fingerprint(public), registered_by=actor
        )
        audit_log(
            fund=fund,
            actor=actor,
            changes=[
                Change.of("exchange.key.registered", key, after={"fingerprint": key.fingerprint})
            ],
        )
    return key


def trusted_key_revoke(*, key: TrustedKey, actor: Any) -> TrustedKey:
    with transaction.atomic(), fund_scope(key.fund):
        key = TrustedKey.objects.select_for_update().get(pk=key.pk)
        if key.revoked_at is not None:
            raise ValidationError(_("This key was already revoked."))
        key.revoked_at, key.revoked_by = timezone.now(), actor
        key.save(update_fields=["revoked_at", "revoked_by"])
        audit_log(
            fund=key.fund,
            actor=actor,
            changes=[
                Change.of(
                    "exchange.key.revoked",
                    key,
                    before={"revoked": False},
                    after={"revoked": True, "fingerprint": key.fingerprint},
                )
            ],
        )
    return key


def _not_own_computer(fund: Fund) -> str:
    return _("%(name)s keeps its records on this server, so it does not send packages.") % {
        "name": fund.name
    }


# --- On the province server: importing --------------------------------------------------------


@dataclass(frozen=True)
class ImportOutcome:
    """An accepted package: `imported`, or `ignored` because it would change nothing."""

    status: str
    code: str
    message: str
    package: ImportedPackage | None = None


def packages_dir() -> Path:
    path = Path(settings.VAR_DIR) / "packages"
    path.mkdir(parents=True, exist_ok=True)
    return path


def package_import(
    *, file: IO[bytes], size: int, filename: str, funds: QuerySet[Fund], actor: Any
) -> ImportOutcome:
    """Import a package for one of `funds` (the officer's province); PackageRefused otherwise."""
    opened = open_package(file, size)
    manifest = opened.manifest
    fund = funds.filter(code=manifest.fund_code).first()
    if fund is None:
        raise PackageRefused(
            "foreign",
            _(
                "This package is for fund “%(code)s” (%(name)s), which is not registered on "
                "this server or is not in your province."
            )
            % {"code": manifest.fund_code, "name": manifest.fund_name},
        )
    if fund.runs_on != Fund.RunsOn.OWN_COMPUTER:
        raise PackageRefused("not_own_computer", _not_own_computer(fund))
    with fund_scope(fund):
        key = TrustedKey.objects.filter(fund=fund, revoked_at__isnull=True).first()
        if key is None:
            raise PackageRefused(
                "no_key",
                _(
                    "No key of %(name)s is registered. Register the fund's key first: its chair "
                    "sees it on the fund's export page."
                )
                % {"name": fund.name},
            )
        if not opened.signed_by(bytes(key.public_key)):
            raise PackageRefused(
                "bad_signature",
                _(
                    "The package's signature does not match the registered key of %(name)s: it "
                    "was tampered with or signed by another key (the package names key "
                    "%(theirs)s; the registered key is %(ours)s)."
                )
                % {
                    "name": fund.name,
                    "theirs": manifest.key_fingerprint or "?",
                    "ours": key.fingerprint,
                },
            )
        files = opened.verified_contents()
        ignored = _ignored(fund, opened)
        if ignored is not None:
            return ignored
        indicators = contents.check_indicators(
            files[INDICATORS], fund_code=fund.code, as_of=manifest.as_of
        )
        monthly = contents.check_monthly(files[MONTHLY], fund_code=fund.code)
        return _store(
            fund=fund,
            key=key,
            opened=opened,
            file=file,
            filename=filename,
            indicators=indicators,
            monthly=monthly,
            actor=actor,
        )


def _ignored(fund: Fund, opened: OpenedPackage) -> ImportOutcome | None:
    manifest = opened.manifest
    # Package ids are unique across funds; look across them so a reused id is never stored twice.
    with scopes_disabled():
        same = ImportedPackage.objects.filter(package_id=manifest.package_id).first()
    if same is not None:
        return ImportOutcome(
            "ignored",
            "already_imported",
            _(
                "This package (number %(sequence)d, as of %(as_of)s) was already imported on "
                "%(date)s; nothing changed."
            )
            % {
                "sequence": manifest.sequence,
                "as_of": format_date(manifest.as_of),
                "date": format_date(timezone.localtime(same.imported_at).date()),
            },
            same,
        )
    # Numbers run per key: a fund that lost its laptop and made a new key starts again at 1.
    latest = (
        ImportedPackage.objects.filter(fund=fund, signed_with__revoked_at__isnull=True)
        .order_by("-sequence")
        .first()
    )
    if latest is not None and manifest.sequence < latest.sequence:
        return ImportOutcome(
            "ignored",
            "older",
            _(
                "A newer package of %(name)s (number %(latest)d) is already imported; this one "
                "(number %(sequence)d) changed nothing."
            )
            % {"name": fund.name, "latest": latest.sequence, "sequence": manifest.sequence},
            latest,
        )
    if latest is not None and manifest.sequence == latest.sequence:
        raise PackageRefused(
            "same_number",
            _(
                "Another package of %(name)s with the same number (%(sequence)d) was already "
                "imported. Ask the fund to export a new package."
            )
            % {"name": fund.name, "sequence": manifest.sequence},
        )
    return None


def _store(
    *,
    fund: Fund,
    key: TrustedKey,
    opened: OpenedPackage,
    file: IO[bytes],
    filename: str,
    indicators: dict[str, Any],
    monthly: list[contents.MonthlyRow],
    actor: Any,
) -> ImportOutcome:
    manifest = opened.manifest
    sha256, size = _digest(file)
    stored_name = f"{fund.code}/{manifest.package_id}.kongtun.zip"
    path = packages_dir() / stored_name
    written = False  # only a file this call wrote may be removed when it fails
    try:
        with transaction.atomic():
            # Imports of one fund run one after another, so sequence checks hold.
            Fund.objects.select_for_update().get(pk=fund.pk)
            if _ignored(fund, opened) is not None:
                raise PackageRefused(
                    "concurrent",
                    _("Another import of this fund finished first. Please try again."),
                )
            newest = ImportedPackage.objects.filter(fund=fund).aggregate(d=Max("as_of"))["d"]
            replace = newest is None or manifest.as_of >= newest
            # Kept beside earlier ones of the same date: the indicators read the newest.
            IndicatorSnapshot.objects.create(
                fund=fund,
                kind=IndicatorSnapshot.Kind.IMPORTED,
                as_of=manifest.as_of,
                data=indicators,
                taken_by=actor,
                package_id=manifest.package_id,
            )
            added: list[str] = []
            if replace:
                added = _replace_monthly(fund, monthly)
            package = ImportedPackage.objects.create(
                fund=fund,
                package_id=manifest.package_id,
                sequence=manifest.sequence,
                as_of=manifest.as_of,
                created_at=manifest.created_at,
                includes_full_data=manifest.includes_full_data,
                sha256=sha256,
                size=size,
                stored_name=stored_name,
                original_name=filename[:255],
                signed_with=key,
                monthly_replaced=replace,
                imported_by=actor,
            )
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as target:
                written = True
                shutil.copyfileobj(file, target)
            audit_log(
                fund=fund,
                actor=actor,
                changes=[
                    Change.of(
                        "exchange.package.imported",
                        package,
                        after={
                            "package_id": str(manifest.package_id),
                            "sequence": manifest.sequence,
                            "as_of": manifest.as_of.isoformat(),
                            "sha256": sha256,
                            "includes_full_data": manifest.includes_full_data,
                            "monthly_replaced": replace,
                            "monthly_rows": len(monthly) if replace else 0,
                            "accounts_added": added,
                            "key": key.fingerprint,
                        },
                    )
                ],
            )
    except BaseException:
        if written:
            path.unlink(missing_ok=True)
        raise
    message = _("Package number %(sequence)d of %(name)s, as of %(as_of)s, was imported.") % {
        "sequence": manifest.sequence,
        "name": fund.name,
        "as_of": format_date(manifest.as_of),
    }
    if not replace:
        message += " " + _(
            "Its monthly totals are older than those already imported, so they were not used."
        )
    return ImportOutcome("imported", "imported", message, package)


def _replace_monthly(fund: Fund, rows: list[contents.MonthlyRow]) -> list[str]:
    """Make the package's monthly totals the fund's; return the account codes added.

    The standard chart is installed first, so the fund's totals land on accounts with the
    roles reports look for; the fund's own accounts are added as the package describes them.
    """
    chart_install(fund=fund)
    accounts = {a.code: a for a in Account.objects.filter(fund=fund)}
    chart = {a.code for a in TEMPLATE}
    added = []
    for row in rows:
        if row.account in accounts:
            continue
        account = Account(
            fund=fund,
            code=row.account,
            name_th=row.name_th,
            name_en=row.name_en,
            type=row.type,
            # A role is the system's name for what an account is for; only a few are ever given
            # to a fund's own accounts (a second bank account), and none of the chart's.
            role=row.role if row.account not in chart else "",
            source=row.account_source,
        )
        account.save()
        accounts[row.account] = account
        added.append(row.account)
    MonthlyTotal.objects.filter(fund=fund).delete()
    MonthlyTotal.objects.bulk_create(
        [
            MonthlyTotal(
                fund=fund,
                account=accounts[r.account],
                source=r.source,
                period=r.period,
                amount=r.amount,
                lines=r.lines,
            )
            for r in rows
        ],
        batch_size=1000,
    )
    return added
