"""The system administrator manages funds, accounts and who may see what.

Fund-owned data (members, books) is deliberately not in the admin: it is only reachable
through the fund's own pages, inside the fund's scope.
"""

from django.contrib import admin

from kongtun.funds.models import Fund, FundRole, OfficerAssignment


class FundRoleInline(admin.TabularInline):
    model = FundRole
    extra = 1
    autocomplete_fields = ("user",)


@admin.register(Fund)
class FundAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "tambon", "kind", "founded_on")
    search_fields = ("code", "name")
    list_select_related = ("tambon",)
    raw_id_fields = ("tambon",)
    inlines = [FundRoleInline]


@admin.register(OfficerAssignment)
class OfficerAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "level", "area_code")
    autocomplete_fields = ("user",)
