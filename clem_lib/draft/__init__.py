"""Draft a codebook and a units file from a survey export (``clem init``).

Reads an export someone else designed (KoboToolbox/ODK, Google Forms, SPSS,
a spreadsheet of 1-4 scores), guesses what every column is (the IKM unsur of
Permenpan RB 14/2017 or Kepmenpan 25/2004 from column names or question
texts, the answer coding of each, importance items, special groups, yes/no
indicators, personal data by name and by value pattern, free text, the unit
column, sectors, time stamps, amounts) and writes a codebook and a units file
that clean the export as they are. Every guess is written with a comment
saying what was guessed from what, and how sure: ``(sure)``, ``(likely)`` or
``(check)``. An optional XLSForm (``survey``, ``choices``, ``settings``
sheets) makes the guesses firmer: question types, labels, list choices,
groups and ``relevant`` conditions.

The YAML is written as text (comments cannot be round-tripped through a YAML
library) and is deterministic: the same export gives the same bytes.

Modules, in the order a draft is made:

``survey``        the whole draft: the passes in order, the units, the to-do list
``export``        each column's distinct values (``Profile``), an SPSS file's labels
``xlsform``       a Kobo/ODK XLSForm: questions, choice lists, settings
``state``         what the passes share: profiles, questions, the guesses so far
``meta``          Kobo/ODK/Google Forms meta columns, dates
``special``       special groups (select-multiple columns and their choices)
``personal``      personal data, by name and by value pattern
``unsur``         the IKM unsur, importance items, overall satisfaction
``answers``       which answer scale reads a rating column, or a drafted one
``classify``      the role of every other column, rule by rule
``demographics``  gender, age, education, income
``indicators``    yes/no questions, amounts, durations, the channel
``sectors``       sector column and sectors from unit names
``units``         the unit column and the drafted units
``locations``     each unit's district (kecamatan) and agency (dinas)
``spellings``     spellings of one place merged into a name with aliases
``document``      the drafted files as commented YAML text
``files``         the survey's name, the default folder, writing the files
``common``        how sure a guess is; comparing header and answer texts
"""

from .document import Draft
from .files import default_out_dir, survey_name_from, write_draft
from .spellings import cluster_units
from .survey import draft_survey
from .xlsform import FormQuestion, XLSForm, read_xlsform  # noqa: F401  (the form's types, for callers)

#: :func:`clem_lib.draft.spellings.cluster_units` under the private name code outside the package imports
_cluster_units = cluster_units

__all__ = [
    "Draft",
    "draft_survey",
    "read_xlsform",
    "survey_name_from",
    "default_out_dir",
    "write_draft",
]
