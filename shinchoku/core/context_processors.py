from shinchoku.core.models import Municipality
from shinchoku.core.tenancy import tenant_for


def tenant(request):
    if not hasattr(request, "user"):
        return {}
    context = {"tenant": tenant_for(request)}
    if request.user.is_authenticated and request.user.is_superuser:
        context["switchable_municipalities"] = Municipality.objects.order_by("code")
    return context
