"""OAI-PMH 2.0: the provider (a WSGI application, ``libcat.oai.server``) and the harvester (Sickle)."""
