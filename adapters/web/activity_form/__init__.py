"""The activity web form <-> one ACCME JSON item, the shape every activity channel submits.

The form holds what a batch file carries for an activity: its fields, MOC registration per board (points,
credit types, claim date, practice areas) with the MOC attestation, REMS, MIPS, commendation criteria tags,
in-kind supporters and joint providers; a new activity's repeat instances are rows of date inputs. An edit
keeps every field of the stored item that the form does not show, including the entries of a list beyond
the one the form shows (more monetary supporters, outcomes, delivery methods, learners of other professions).

`fields` holds the form's fields, their choices and labels and which field an error concerns; `parsing` a
posted form read into the item and its repeat instances; `rendering` the form filled from a stored item and
the page that shows it.
"""
