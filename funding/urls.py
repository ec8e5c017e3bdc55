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
