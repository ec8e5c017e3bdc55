from . import views  # noqa: F401 — the package docstring says how the modules are collected
from .views import claims, disclosure, homes, ledger, pay, rates, settlement, spending

app_name = "funding"
urlpatterns = [
    *homes.urlpatterns,
    *rates.urlpatterns,
    *claims.urlpatterns,
    *settlement.urlpatterns,
    *spending.urlpatterns,
    *ledger.urlpatterns,
    *pay.urlpatterns,
    *disclosure.urlpatterns,
]
