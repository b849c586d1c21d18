package compu_test

import (
	"encoding/json"
	"fmt"
	"log"

	"github.com/goxcp/goxcp/compu"
)

// Conversions as plain data — what a recording stores — turned into
// converters: a formula with its inverse and a verbal table.
func ExampleFromSpec() {
	var specs []compu.Spec
	err := json.Unmarshal([]byte(`[
		{"name": "temp", "type": "FORM", "unit": "degC", "formula": "X1/10-40", "formula_inv": "(X1+40)*10"},
		{"name": "onoff", "type": "TAB_VERB", "in": [0, 1], "text": ["off", "on"]}
	]`), &specs)
	if err != nil {
		log.Fatal(err)
	}
	temp, err := compu.FromSpec(specs[0])
	if err != nil {
		log.Fatal(err)
	}
	raw, _ := temp.Raw(85)
	fmt.Println(temp.Type, temp.Phys(1250), temp.Unit, "| 85 degC is raw", raw)

	onoff, err := compu.FromSpec(specs[1])
	if err != nil {
		log.Fatal(err)
	}
	on, _ := onoff.RawFromText("on")
	fmt.Println(onoff.Type, onoff.Text(0), onoff.Text(1), "| on is raw", on)

	_, err = compu.FromSpec(compu.Spec{Name: "bad", Type: "LINEAR", Coeffs: []float64{0, 1}})
	fmt.Println(err)
	// Output:
	// FORM 85 degC | 85 degC is raw 1250
	// TAB_VERB off on | on is raw 1
	// compu: conversion "bad" (LINEAR): LINEAR needs coefficients a b (COEFFS_LINEAR) with a != 0, got [0 1]
}
