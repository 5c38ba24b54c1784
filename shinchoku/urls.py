from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from shinchoku.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="core/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("changes/", core_views.change_log, name="change_log"),
    path("municipality/", core_views.switch_municipality, name="switch_municipality"),
    path("admin/", admin.site.urls),
    path("plans/", include("shinchoku.plans.urls")),
    path("indicators/", include("shinchoku.indicators.urls")),
    path("rounds/", include("shinchoku.rounds.urls")),
    path("evaluations/", include("shinchoku.evaluations.urls")),
    path("effects/", include("shinchoku.effects.urls")),
    path("audits/", include("shinchoku.audits.urls")),
    path("meetings/", include("shinchoku.meetings.urls")),
    path("procedures/", include("shinchoku.procedures.urls")),
    path("reports/", include("shinchoku.reports.urls")),
    path("api/", include("shinchoku.api")),
    path("public/", include("shinchoku.public.urls")),
]

handler403 = "shinchoku.core.views.permission_denied"

admin.site.site_header = "shinchoku 進捗 管理画面"
admin.site.site_title = "shinchoku 管理"
admin.site.index_title = "データ管理"
