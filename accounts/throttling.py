"""A rate per API key (scope ``api_key`` of ``THROTTLE_RATES``), beside DRF's per-user and per-address ones.

A key shares nothing with the other keys of its organisation or with its creator's own sign-ins: each
integration gets its own budget, so one runaway script cannot starve the rest. Requests without a key
are not counted here.
"""

from rest_framework.throttling import SimpleRateThrottle

from accounts.standing import is_api_key_request


class ApiKeyRateThrottle(SimpleRateThrottle):
    scope = "api_key"

    def get_cache_key(self, request, view) -> str | None:
        if not is_api_key_request(request):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
