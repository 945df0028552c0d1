"""Project-wide pages and the sign-in pages (django-allauth)."""

from tests.access.matrix import LOGIN, REDIRECT, Route, answers, only, public, signed_in

# Everyone with a role is sent on to their own home; a person with none sees a page saying so.
ROUTES = [
    Route("home", public()),
    Route("healthz", public(), html=False),
    # The installable app: fetched by the browser without the session cookie.
    Route("service_worker", public(), html=False),
    Route("manifest", public(), html=False),
    Route("privacy", public()),
    Route("role_home", signed_in(REDIRECT)),
    Route("account_login", answers(REDIRECT, anonymous=200)),
    Route("account_logout", answers(200, anonymous=REDIRECT)),
    Route("account_inactive", public()),
    Route("account_signup", answers(REDIRECT, anonymous=200), note="closed: says so"),
    Route("account_reauthenticate", signed_in()),
    Route("account_email", signed_in()),
    Route("account_email_verification_sent", public()),
    Route("account_change_password", signed_in()),
    Route("account_set_password", signed_in(REDIRECT)),
    Route("account_reset_password", public()),
    Route("account_reset_password_done", public()),
    Route("account_reset_password_from_key_done", public()),
    Route(
        "account_reset_password_from_key",
        answers(200),
        kwargs=lambda w: {"uidb36": "zz", "key": "not-a-real-key"},
        note="a wrong key shows the 'link no longer works' page",
    ),
    Route("account_confirm_login_code", signed_in(REDIRECT), note="no code pending: back to start"),
    Route("account_confirm_email", public(), kwargs=lambda w: {"key": "not-a-real-key"}),
    # Two-step sign-in (django-allauth's mfa), for staff; anyone signed in may set it up.
    # Setting up asks for the password again first (a redirect); pages about an
    # authenticator the person does not have yet are 404s.
    # Re-confirming by an emailed code (instead of the password), offered by allauth.
    Route("account_request_reauthentication_code", signed_in(REDIRECT)),
    Route("account_confirm_reauthentication_code", signed_in(REDIRECT)),
    Route("mfa_index", signed_in()),
    Route("mfa_activate_totp", signed_in(REDIRECT), note="asks for the password again first"),
    Route("mfa_deactivate_totp", signed_in(404)),
    Route("mfa_view_recovery_codes", signed_in(404)),
    Route("mfa_generate_recovery_codes", signed_in(REDIRECT)),
    Route("mfa_download_recovery_codes", signed_in(404)),
    Route("mfa_reauthenticate", signed_in(REDIRECT), note="only with an authenticator"),
    Route("mfa_authenticate", signed_in(REDIRECT), note="only during a sign-in"),
    Route(
        "audit:list",
        only({"coordinator": 200}),
        note="coordinators only; other staff see 403",
    ),
    Route("admin:*", answers(LOGIN, operator=200), note="see tests/core/test_admin.py"),
]
