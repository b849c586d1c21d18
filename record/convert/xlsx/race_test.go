//go:build race

package xlsx_test

// raceEnabled: the race detector slows excelize ~20-fold; the tests then
// use part of the reference recording.
const raceEnabled = true
