package convert_test

import (
	"strings"
	"testing"

	"github.com/goxcp/goxcp/compu"
	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/record/convert"
	"github.com/goxcp/goxcp/record/recordtest"
)

func TestLayoutConversions(t *testing.T) {
	m := recordtest.NarrowMeta()
	ms := m.DAQ.Lists[0].Measurements
	ms[0].Conversion = &compu.Spec{Type: "LINEAR", Coeffs: []float64{2, 1}, Unit: "rpm"}
	if len(ms) > 1 {
		ms[1].Conversion = &compu.Spec{Type: "TAB_VERB", In: []float64{0, 1}, Text: []string{"off", "on"}}
	}
	tabs, err := convert.Layout(m, convert.Options{})
	if err != nil {
		t.Fatal(err)
	}
	first := 1
	if tabs[0].HasSlave {
		first = 2
	}
	c := tabs[0].Columns[first]
	if c.Kind != convert.ColValue || c.Type != dto.F64 || c.Unit != "rpm" || c.Conv == nil {
		t.Errorf("linear column %+v", c)
	}
	if len(ms) > 1 {
		c := tabs[0].Columns[first+1]
		if c.Kind != convert.ColText || c.Text(dto.UintValue(ms[1].Type, 1)) != "on" {
			t.Errorf("verbal column %+v", c)
		}
	}
	raw, err := convert.Layout(m, convert.Options{Raw: true})
	if err != nil || raw[0].Columns[first].Type != ms[0].Type || raw[0].Columns[first].Conv != nil {
		t.Errorf("raw layout %+v %v", raw[0].Columns[first], err)
	}
	ms[0].Conversion = &compu.Spec{Type: "LINEAR", Coeffs: []float64{0, 1}}
	if _, err := convert.Layout(m, convert.Options{}); err == nil || !strings.Contains(err.Error(), ms[0].Name) {
		t.Errorf("damaged conversion: %v", err)
	}
}
