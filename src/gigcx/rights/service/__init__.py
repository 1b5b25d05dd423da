"""Export and erasure requests, legal holds and retention."""

from gigcx.rights.service._customers import erase_customer
from gigcx.rights.service._experts import KEPT_FOR_TAX_AND_PAY, erase_expert
from gigcx.rights.service._holds import (
    holds_on_customer,
    list_holds,
    managed_brand,
    refuse_if_held,
    release_hold,
    set_hold,
)
from gigcx.rights.service._requests import (
    ERASE_JOB,
    EXPORT_JOB,
    download,
    get_request,
    list_requests,
    request,
    run_request,
)
from gigcx.rights.service._retention import (
    RetentionReport,
    apply_retention,
    brands_with_policies,
    expire_archives_due,
    get_policy,
    put_policy,
)
from gigcx.rights.service._subjects import email_hash, erased_email

__all__ = [
    "ERASE_JOB",
    "EXPORT_JOB",
    "KEPT_FOR_TAX_AND_PAY",
    "RetentionReport",
    "apply_retention",
    "brands_with_policies",
    "download",
    "email_hash",
    "erase_customer",
    "erase_expert",
    "erased_email",
    "expire_archives_due",
    "get_policy",
    "get_request",
    "holds_on_customer",
    "list_holds",
    "list_requests",
    "managed_brand",
    "put_policy",
    "refuse_if_held",
    "release_hold",
    "request",
    "run_request",
    "set_hold",
]
