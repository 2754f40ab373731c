"""Recognitions: CAP RSE labels and CAP ISO 9001 certificates, their lifecycle and history.

``grant``, ``history`` and the code helpers are also named here for the callers that import the
package itself (the import of recognitions, ``cap_labelling.importer``).
"""

from cap_labelling.recognitions.codes import new_verification_code, normalise_code
from cap_labelling.recognitions.service import grant, history

__all__ = ["grant", "history", "new_verification_code", "normalise_code"]
