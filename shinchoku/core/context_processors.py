from shinchoku.core.tenancy import tenant_for


def tenant(request):
    if not hasattr(request, "user"):
        return {}
    return {"tenant": tenant_for(request)}
