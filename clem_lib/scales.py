"""Built-in answer scales: the official SKM labels, yes/no, gender, importance.

A codebook names one of these under ``scale:`` instead of spelling it out
under ``scales:``; a scale of the same name in the codebook's own ``scales:``
takes precedence. The per-unsur labels are those of the questionnaire
annexed to Permenpan RB 14/2017 (score 1 -> 4); field teams' case changes and
abbreviations ("Sgt", "Tdk", "Krg") are listed as aliases, and the numeric
code itself (``4``, ``4.0``) always matches. Labels match regardless of the
order a form lists them in.

``docs/codebook.md`` lists the scales with their labels.
"""

from __future__ import annotations

__all__ = ["BUILTIN_SCALES", "SKM_UNSUR_SCALES", "builtin_scale_spec"]

_DONT_KNOW = ["Tidak tahu", "TT", "Tdk tahu", "Tidak menjawab", "TJ", "98", "99",
              "Don't know", "Do not know", "No answer", "N/A"]


def _abbrev(label: str) -> list[str]:
    """Common typed variants of an official label: Sangat -> Sgt, Tidak -> Tdk, Kurang -> Krg."""
    out = []
    for full, short in (("Sangat", "Sgt"), ("Tidak", "Tdk"), ("Kurang", "Krg")):
        if label.startswith(full + " "):
            out.append(short + " " + label[len(full) + 1:])
            out.append(short + ". " + label[len(full) + 1:])
    return out


def _ordinal(labels_id, labels_en, extra=None, missing=_DONT_KNOW) -> dict:
    extra = extra or {}
    levels = []
    for code, (lid, len_) in enumerate(zip(labels_id, labels_en), start=1):
        aliases = _abbrev(lid) + list(extra.get(code, []))
        levels.append({"code": code, "id": lid, "en": len_, "aliases": aliases})
    return {"kind": "ordinal", "levels": levels, "missing": list(missing)}


#: unsur key -> built-in scale name with that unsur's official answer labels.
SKM_UNSUR_SCALES = {
    "persyaratan": "skm_persyaratan",
    "prosedur": "skm_prosedur",
    "waktu": "skm_waktu",
    "biaya": "skm_biaya",
    "produk": "skm_produk",
    "kompetensi": "skm_kompetensi",
    "perilaku": "skm_perilaku",
    "pengaduan": "skm_pengaduan",
    "sarana": "skm_sarana",
}

_SESUAI = (["Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"],
           ["Not appropriate", "Less appropriate", "Appropriate", "Very appropriate"])

#: name -> scale specification, in the codebook's ``scales:`` format.
BUILTIN_SCALES: dict[str, dict] = {
    "skm_persyaratan": _ordinal(*_SESUAI),
    "skm_prosedur": _ordinal(["Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah"],
                             ["Not easy", "Less easy", "Easy", "Very easy"]),
    "skm_waktu": _ordinal(["Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat"],
                          ["Not fast", "Less fast", "Fast", "Very fast"]),
    "skm_biaya": _ordinal(["Sangat mahal", "Cukup mahal", "Murah", "Gratis"],
                          ["Very expensive", "Fairly expensive", "Cheap", "Free"],
                          extra={1: ["Mahal sekali"], 2: ["Mahal"], 3: ["Terjangkau"],
                                 4: ["Tidak dipungut biaya", "Tanpa biaya", "Free"]}),
    "skm_produk": _ordinal(*_SESUAI),
    "skm_kompetensi": _ordinal(["Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten"],
                               ["Not competent", "Less competent", "Competent", "Very competent"]),
    "skm_perilaku": _ordinal(["Tidak sopan dan ramah", "Kurang sopan dan ramah", "Sopan dan ramah",
                              "Sangat sopan dan ramah"],
                             ["Not polite and friendly", "Less polite and friendly", "Polite and friendly",
                              "Very polite and friendly"],
                             extra={1: ["Tidak sopan & ramah", "Tidak sopan"],
                                    2: ["Kurang sopan & ramah", "Kurang sopan"],
                                    3: ["Sopan & ramah", "Sopan"],
                                    4: ["Sangat sopan & ramah", "Sangat sopan"]}),
    "skm_pengaduan": _ordinal(["Tidak ada", "Ada tetapi tidak berfungsi", "Berfungsi kurang maksimal",
                               "Dikelola dengan baik"],
                              ["None", "Exists but does not work", "Works, not fully",
                               "Well managed"],
                              extra={2: ["Ada tapi tidak berfungsi", "Ada, tetapi tidak berfungsi"],
                                     3: ["Berfungsi kurang optimal", "Berfungsi tapi kurang maksimal"],
                                     4: ["Dikelola dgn baik", "Dikelola baik"]}),
    "skm_sarana": _ordinal(["Buruk", "Cukup", "Baik", "Sangat baik"],
                           ["Poor", "Fair", "Good", "Very good"],
                           extra={1: ["Tidak baik"], 2: ["Kurang baik"]}),
    # one label set for every unsur, as many offices field it
    "skm_kepuasan4": _ordinal(["Tidak puas", "Kurang puas", "Puas", "Sangat puas"],
                              ["Not satisfied", "Less satisfied", "Satisfied", "Very satisfied"]),
    "skm_baik4": _ordinal(["Tidak baik", "Kurang baik", "Baik", "Sangat baik"],
                          ["Not good", "Less good", "Good", "Very good"], extra={1: ["Buruk"]}),
    # importance / expectation (harapan)
    "skm_kepentingan4": _ordinal(["Tidak penting", "Kurang penting", "Penting", "Sangat penting"],
                                 ["Not important", "Less important", "Important", "Very important"],
                                 extra={4: ["Penting sekali"]}),
    "ya_tidak": {
        "kind": "boolean",
        "levels": [
            {"code": True, "id": "Ya", "en": "Yes", "aliases": ["Y", "Iya", "1", "Ada", "Sudah", "True"]},
            {"code": False, "id": "Tidak", "en": "No",
             "aliases": ["T", "Tdk", "0", "Tidak ada", "Belum", "Nggak", "Gak", "Enggak", "False"]},
        ],
        "missing": ["Tidak tahu", "TT", "Tdk tahu", "Lupa", "Tidak menjawab", "99", "Don't know",
                    "Do not know", "No answer", "N/A"],
    },
    "jenis_kelamin": {
        "kind": "nominal",
        "levels": [
            {"code": "female", "id": "Perempuan", "en": "Female", "aliases": ["P", "Pr", "Wanita", "F"]},
            {"code": "male", "id": "Laki-laki", "en": "Male", "aliases": ["L", "Lk", "Pria", "Laki", "M"]},
        ],
    },
}


def builtin_scale_spec(name: str) -> dict | None:
    """The specification of built-in scale ``name`` (a fresh copy), or None."""
    import copy

    spec = BUILTIN_SCALES.get(name)
    return copy.deepcopy(spec) if spec is not None else None
