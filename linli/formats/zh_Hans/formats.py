# Django's zh_Hans formats group digits by four with no separator (20000). Statistical tables in
# China (and the departments' own spreadsheets) group by three with commas: 1,032,000. Only the
# grouping is overridden; every other format falls through to Django's zh_Hans module.
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
