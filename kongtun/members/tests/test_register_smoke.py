from kongtun.audit.verify import verify_audit
from kongtun.members.models import Member


def test_it_registers_a_member_with_encrypted_id(member, in_fund):
    assert Member.objects.filter(fund=in_fund).count() == 1
    assert member.national_id_encrypted.startswith("v1:")
    assert member.national_id_tail == member.national_id_masked[-4:].replace("-", "")
    assert verify_audit() == []
