from __future__ import annotations

from django.urls import reverse
from django_scopes import scopes_disabled

from kongtun.audit.models import AuditEntry
from kongtun.audit.verify import verify_audit
from kongtun.funds.models import FundRole


def test_admin_changes_to_a_fund_and_its_roles_are_audited(fund, users, client_for):
    client = client_for("admin")
    url = reverse("admin:funds_fund_change", args=[fund.pk])
    page = client.get(url)
    assert page.status_code == 200
    roles = list(FundRole.objects.filter(fund=fund).order_by("pk"))
    data = {
        "code": fund.code,
        "name": "ชื่อใหม่ของกองทุน",
        "kind": fund.kind,
        "tambon": fund.tambon_id,
        "municipality_name": "",
        "founded_on": "2010-01-15",
        "fiscal_year": fund.fiscal_year,
        "admin_cost_cap_percent": "20.00",
        "runs_on": fund.runs_on,
        "roles-TOTAL_FORMS": str(len(roles) + 1),
        "roles-INITIAL_FORMS": str(len(roles)),
        "roles-MIN_NUM_FORMS": "0",
        "roles-MAX_NUM_FORMS": "1000",
    }
    for i, role in enumerate(roles):
        data.update(
            {
                f"roles-{i}-id": str(role.pk),
                f"roles-{i}-fund": str(fund.pk),
                f"roles-{i}-user": str(role.user_id),
                f"roles-{i}-role": role.role,
                f"roles-{i}-is_active": "on",
            }
        )
    data[f"roles-{len(roles) - 1}-DELETE"] = "on"
    data.update(
        {
            f"roles-{len(roles)}-fund": str(fund.pk),
            f"roles-{len(roles)}-user": str(users["nobody"].pk),
            f"roles-{len(roles)}-role": "committee",
            f"roles-{len(roles)}-is_active": "on",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    with scopes_disabled():
        actions = list(AuditEntry.objects.filter(fund=fund).values_list("action", flat=True))
    assert actions == ["funds.fund.changed", "funds.role.removed", "funds.role.granted"]
    assert verify_audit() == []
