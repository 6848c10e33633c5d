from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LicensingConfig(AppConfig):
    name = "licensing"
    verbose_name = _("事项与办件")

    def ready(self):
        from licensing import rules  # noqa: F401  (registers licensing's permission rules)

        _invalidate_catalogue_on_change()


def _invalidate_catalogue_on_change():
    """The catalogue's cached pages and API answers (issue 13) are renewed by signals, not by calls in
    each writer, because the catalogue changes by many paths: the admin's change form and its inlines
    (authorities, materials, regulator routes), the routing table's own admin, the xlsx/csv import,
    history reverts, load_demo, and organisations renamed in portal's admin, which may not import
    licensing (the import-linter layers). post_save and post_delete see every one of them; a
    queryset.update() or bulk_create() would not, and none of the catalogue's writers uses one
    (a script that does calls licensing.selectors.catalogue.catalogue_changed() itself)."""
    from django.db.models.signals import post_delete, post_save

    from licensing.models import Item, ItemAuthority, Material, RegulatorRoute, ScopeKeyword
    from licensing.selectors.catalogue import catalogue_changed
    from portal.models import Organisation

    # ScopeKeyword: the business-scope finder's table (issue 15) is kept under the catalogue's version, and so
    # are the API's answers to ?scope= (licensing.selectors.scope).
    for model in (Item, ItemAuthority, Material, RegulatorRoute, Organisation, ScopeKeyword):
        for signal in (post_save, post_delete):
            signal.connect(catalogue_changed, sender=model, dispatch_uid=f"catalogue_changed:{model.__name__}")
