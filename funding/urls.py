from .views import claims, disclosure, homes, ledger, model_classes, pay, rates, settlement, spending

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
    *model_classes.urlpatterns,
]
