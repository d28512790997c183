"""The JSON API's shared floor: ``auth`` (the signed-in user, tokens, model permissions for reads) and ``errors``
(every error as ``{"code", "message"}``, the exception handler named in ``REST_FRAMEWORK``)."""
