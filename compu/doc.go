// Package compu is goxcp's conversion model: it converts between raw ECU
// values and physical values as an ASAM MCD-2 MC (ASAP2) COMPU_METHOD
// defines it — IDENTICAL, LINEAR, RAT_FUNC, TAB_INTP, TAB_NOINTP, TAB_VERB
// (COMPU_VTAB and COMPU_VTAB_RANGE) and FORM (formulas evaluated by
// compu/formula, with FORMULA_INV or a numeric inverse).
//
// A conversion is plain data ([Spec], which marshals to JSON) or a ready
// converter ([Conv], built by [FromSpec]). The package knows nothing of the
// A2L syntax: goxcp/a2l/conv builds a Conv from an A2L COMPU_METHOD, and
// recordings (goxcp/record) store the Spec, so that a converter computes
// physical values without linking the A2L parser.
package compu
