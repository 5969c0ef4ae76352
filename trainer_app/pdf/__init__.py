"""Printed papers drawn with reportlab: certificates, sign-in sheets, cards, rosters, summaries.

Nothing here touches the database: services gather what a paper shows into the plain records of
:mod:`trainer_app.pdf.records` and hand them over.
"""
