"""Every write of the time bank (a package by job; see engine.py for the ledger engine).

Interim: everything still lives in engine.py and is re-exported here, so that
``from timebank import services; services.order_sign_in(...)`` keeps working."""

from timebank.services import engine as _engine

globals().update({k: v for k, v in vars(_engine).items() if not k.startswith("__")})
