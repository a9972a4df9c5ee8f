"""Accounts and authentication: passwords, access/refresh tokens, Better-Auth JWTs, audit."""
