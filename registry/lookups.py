"""`column IN (…)` for the long lists an import looks up (a chunk's 2,000 ID hashes, birth
dates, household numbers, addresses, people).

On PostgreSQL the list goes as ONE array parameter (`column = ANY(%s::type[])`): Django then
prepares no placeholder per value and psycopg parses no 2,000-placeholder statement, which was
a tenth of a dry run's time in the importing process (issue #19 item 7). Elsewhere it is
Django's own IN. Used as a filter expression:
`Person.objects.filter(AnyOf(F("id_number_hash"), hashes))`.
"""

from django.db.models import Lookup
from django.db.models.lookups import In


class AnyOf(Lookup):
    lookup_name = "any_of"
    prepare_rhs = False

    def __init__(self, lhs, rhs):
        super().__init__(lhs, list(rhs))

    def as_sql(self, compiler, connection):
        if connection.vendor != "postgresql":
            return In(self.lhs, self.rhs).as_sql(compiler, connection)
        lhs, params = self.process_lhs(compiler, connection)
        # Plain values (text, numbers, ISO dates) as they are: the cast types the array.
        db_type = self.lhs.output_field.db_type(connection)
        return f"{lhs} = ANY(%s::{db_type}[])", [*params, self.rhs]
