"""Every write of the registry. Each checks permission, validates, writes and audits atomically.

One module per job; every name is re-exported here, so `from registry import services` and
`services.fact_record(...)` keep working:

- fields: the field registry (`ensure_fields`, `field_set_owner`, `field_named`)
- facts: facts and conflicts (一数一源: `fact_record`, `conflict_settle`, `FactWriter`)
- residences: where people live (`Placer`, `place_person`, `residence_set`)
- buildings: buildings and houses
- organisations: organisations by unified social credit code
- reports: one-table reports and the forms ledger
- sharing: data-sharing grants and logged reads
- imports: import sources, uploads, confirmations and commits (the jobs: registry.importer)
"""

from registry.services.buildings import building_create, building_update, house_create
from registry.services.facts import (
    FactWriter,
    community_of,
    conflict_settle,
    fact_record,
    record_fact,
    source_label,
)
from registry.services.fields import ensure_fields, field_named, field_set_owner
from registry.services.imports import (
    ID_NUMBERS_TO_CHECK,
    MAPPING_KEYS,
    MAX_UPLOAD,
    import_commit,
    import_confirm,
    import_file_delete,
    import_id_numbers_checked,
    import_recheck,
    import_source_create,
    import_source_set_mapping,
    import_upload,
    imports_mark_interrupted,
)
from registry.services.organisations import normalize_uscc, organisation_register
from registry.services.reports import (
    clean_population,
    report_fill,
    report_register,
    report_set_status,
)
from registry.services.residences import (
    Placer,
    address_key,
    is_separated,
    norm_address,
    place_person,
    residence_set,
)
from registry.services.sharing import grant_create, grant_end, shared_read

__all__ = [
    "MAPPING_KEYS",
    "ID_NUMBERS_TO_CHECK",
    "MAX_UPLOAD",
    "FactWriter",
    "Placer",
    "address_key",
    "building_create",
    "building_update",
    "clean_population",
    "community_of",
    "conflict_settle",
    "ensure_fields",
    "fact_record",
    "field_named",
    "field_set_owner",
    "grant_create",
    "grant_end",
    "house_create",
    "import_commit",
    "import_confirm",
    "import_id_numbers_checked",
    "import_file_delete",
    "import_recheck",
    "import_source_create",
    "import_source_set_mapping",
    "import_upload",
    "imports_mark_interrupted",
    "is_separated",
    "norm_address",
    "normalize_uscc",
    "organisation_register",
    "place_person",
    "record_fact",
    "report_fill",
    "report_register",
    "report_set_status",
    "residence_set",
    "shared_read",
    "source_label",
]
