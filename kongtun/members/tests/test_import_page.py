"""The import pages: check, then import; the checked file waits encrypted for its own user."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kongtun.members.models import Member
from kongtun.members.tests.import_files import ID, person, xlsx


def _upload(client, fund, data: bytes):
    url = reverse("members-import", kwargs={"fund_code": fund.code})
    return client.post(url, {"file": SimpleUploadedFile("register.xlsx", data)})


def test_check_then_import(fund, client_for, in_fund):
    people = [person(1), person(2)]
    data = xlsx(people)
    client = client_for("treasurer")
    checked = _upload(client, fund, data)
    assert checked.status_code == 200
    assert Member.objects.count() == 0  # checking writes nothing
    sha = checked.context["preview"].sha256

    stored = list((Path(settings.VAR_DIR) / "imports" / str(fund.pk)).glob(f"*/{sha}"))
    assert len(stored) == 1
    raw = stored[0].read_bytes()
    assert all(p[ID].encode() not in raw for p in people)

    url = reverse("members-import", kwargs={"fund_code": fund.code})
    # Another member of staff cannot import a file someone else checked.
    assert client_for("chair").post(url, {"confirm": "1", "sha256": sha}).status_code == 302
    assert Member.objects.count() == 0
    done = client.post(url, {"confirm": "1", "sha256": sha})
    assert done.status_code == 302 and Member.objects.count() == 2
    assert not stored[0].exists()
    # The same confirm again finds nothing to import and adds nothing.
    client.post(url, {"confirm": "1", "sha256": sha})
    assert Member.objects.count() == 2


def test_a_refused_file_is_not_kept(fund, client_for, in_fund):
    bad = xlsx([person(1, **{ID: "1101700230709"})])
    response = _upload(client_for("treasurer"), fund, bad)
    assert response.status_code == 400
    assert not list((Path(settings.VAR_DIR) / "imports" / str(fund.pk)).glob("*/*"))
