"""Safety's pages: the views modules' urlpatterns, concatenated (none yet; included once the first view exists)."""

app_name = "safety"
urlpatterns = []
