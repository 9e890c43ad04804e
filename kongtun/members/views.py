# placeholder, replaced below
def _todo(request, **kw): raise NotImplementedError
member_list = member_create = member_import = import_template = member_detail = _todo
member_edit = member_status = member_reveal_id = beneficiary_add = beneficiary_remove = _todo
consent_add = consent_withdraw = member_card = _todo
