"""Health and metrics endpoints for operators: /healthz, /readyz and /metrics.  They read the apps
(queue backlogs); only config (the URLconf and the middleware setting) imports them."""
