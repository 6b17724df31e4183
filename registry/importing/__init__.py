"""The steps of an import, each in its own module; registry.importer runs them in order."""
