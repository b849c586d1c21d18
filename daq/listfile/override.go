package listfile

import (
	"fmt"
	"math"
	"strings"

	"github.com/goxcp/goxcp/daq"
	"github.com/goxcp/goxcp/protocol/xcp"
)

// parseOverride reads pyXCP's daq_override layout:
//
//	processor = {minDaq, maxDaq, maxEvent, properties = {configType, overloadEvent,
//	  overloadMsb, prescalerSupported, pidOffSupported, timestampSupported,
//	  bitStimSupported, resumeSupported}, keyByte = {identificationField,
//	  addressExtension, optimisationType}}
//	resolution = {timestampTicks, maxOdtEntrySizeDaq, maxOdtEntrySizeStim,
//	  granularityOdtEntrySizeDaq, granularityOdtEntrySizeStim,
//	  timestampMode = {unit, fixed, size}}
//	channels = [{number, name, cycle, unit, priority}]   # events
//	valid = {...}  # ignored
func parseOverride(m map[string]any, t tree) (*daq.Override, error) {
	o := &daq.Override{}
	for k, v := range m {
		sub, isMap := v.(map[string]any)
		switch k {
		case "processor":
			if !isMap {
				return nil, t.in(k).errf("want a table")
			}
			p, err := parseProcessor(sub, t.in(k))
			if err != nil {
				return nil, err
			}
			o.Processor = p
		case "resolution":
			if !isMap {
				return nil, t.in(k).errf("want a table")
			}
			r, err := parseResolution(sub, t.in(k))
			if err != nil {
				return nil, err
			}
			o.Resolution = r
		case "channels", "events":
			arr, ok := v.([]any)
			if !ok {
				if ms, ok2 := v.([]map[string]any); ok2 {
					for _, m := range ms {
						arr = append(arr, m)
					}
				} else {
					return nil, t.in(k).errf("want an array")
				}
			}
			if len(arr) == 0 {
				continue // pyXCP: empty = unknown
			}
			o.Events = []daq.EventInfo{}
			for i, ev := range arr {
				em, ok := ev.(map[string]any)
				if !ok {
					return nil, t.in(fmt.Sprintf("%s #%d", k, i+1)).errf("want a table")
				}
				e, err := parseEvent(em, t.in(fmt.Sprintf("%s #%d", k, i+1)), i)
				if err != nil {
					return nil, err
				}
				o.Events = append(o.Events, e)
			}
		case "valid":
		default:
			return nil, t.errf("unknown key %q", k)
		}
	}
	return o, nil
}

func parseProcessor(m map[string]any, t tree) (*xcp.GetDaqProcessorInfoResponse, error) {
	p := &xcp.GetDaqProcessorInfoResponse{MaxDaq: 0xFFFF}
	var om xcp.Optimisation
	var ae xcp.AddrExtRule
	var id xcp.IDField
	for k, v := range m {
		var err error
		var n uint64
		switch k {
		case "minDaq":
			n, err = t.in(k).uint(v, 255)
			p.MinDaq = uint8(n)
		case "maxDaq":
			n, err = t.in(k).uint(v, math.MaxUint16)
			p.MaxDaq = uint16(n)
		case "maxEvent", "maxEventChannel":
			n, err = t.in(k).uint(v, math.MaxUint16)
			p.MaxEvent = uint16(n)
		case "properties":
			pm, ok := v.(map[string]any)
			if !ok {
				return nil, t.in(k).errf("want a table")
			}
			bits := map[string]xcp.DaqProperties{"overloadEvent": xcp.DaqOverloadEvent, "overloadMsb": xcp.DaqOverloadMSB,
				"prescalerSupported": xcp.DaqPrescalerSupported, "pidOffSupported": xcp.DaqPIDOffSupported,
				"timestampSupported": xcp.DaqTimestampSupported, "bitStimSupported": xcp.DaqBitStimSupported,
				"resumeSupported": xcp.DaqResumeSupported}
			for pk, pv := range pm {
				if pk == "configType" {
					s, _ := pv.(string)
					switch strings.ToUpper(s) {
					case "DYNAMIC":
						p.Properties |= xcp.DaqConfigDynamic
					case "STATIC":
					default:
						return nil, t.in(k).in(pk).errf("want \"DYNAMIC\" or \"STATIC\", got %v", pv)
					}
					continue
				}
				bit, ok := bits[pk]
				if !ok {
					return nil, t.in(k).errf("unknown key %q", pk)
				}
				b, ok := pv.(bool)
				if !ok {
					return nil, t.in(k).in(pk).errf("want true or false")
				}
				if b {
					p.Properties |= bit
				}
			}
		case "keyByte":
			km, ok := v.(map[string]any)
			if !ok {
				return nil, t.in(k).errf("want a table")
			}
			for kk, kv := range km {
				s, _ := kv.(string)
				s = strings.ToUpper(s)
				switch kk {
				case "identificationField":
					i := indexOf([]string{"IDF_ABS_ODT_NUMBER", "IDF_REL_ODT_NUMBER_ABS_DAQ_LIST_NUMBER_BYTE",
						"IDF_REL_ODT_NUMBER_ABS_DAQ_LIST_NUMBER_WORD", "IDF_REL_ODT_NUMBER_ABS_DAQ_LIST_NUMBER_WORD_ALIGNED"}, s)
					if i < 0 {
						return nil, t.in(k).in(kk).errf("unknown identification field type %v", kv)
					}
					id = xcp.IDField(i)
				case "addressExtension":
					i := indexOf([]string{"AE_DIFFERENT_WITHIN_ODT", "AE_SAME_FOR_ALL_ENTRIES_OF_ODT", "", "AE_SAME_FOR_ALL_ENTRIES_OF_DAQ"}, s)
					if s == "AE_SAME_FOR_ALL" || s == "AE_SAME_FOR_ALL_DAQ" {
						i = 3
					}
					if i < 0 || s == "" {
						return nil, t.in(k).in(kk).errf("unknown address extension rule %v", kv)
					}
					ae = xcp.AddrExtRule(i)
				case "optimisationType", "optimizationType":
					i := indexOf([]string{"OM_DEFAULT", "OM_ODT_TYPE_16", "OM_ODT_TYPE_32", "OM_ODT_TYPE_64",
						"OM_ODT_TYPE_ALIGNMENT", "OM_MAX_ENTRY_SIZE"}, s)
					if i < 0 {
						return nil, t.in(k).in(kk).errf("unknown optimisation type %v", kv)
					}
					om = xcp.Optimisation(i)
				default:
					return nil, t.in(k).errf("unknown key %q", kk)
				}
			}
		default:
			err = t.errf("unknown key %q", k)
		}
		if err != nil {
			return nil, err
		}
	}
	p.Key = xcp.MakeDaqKeyByte(om, ae, id)
	return p, nil
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

func parseResolution(m map[string]any, t tree) (*xcp.GetDaqResolutionInfoResponse, error) {
	r := &xcp.GetDaqResolutionInfoResponse{GranularityDaq: 1, GranularityStim: 1, MaxEntrySizeDaq: 0xFF,
		MaxEntrySizeSt: 0xFF, TimestampTicks: 1}
	for k, v := range m {
		var err error
		var n uint64
		switch k {
		case "timestampTicks":
			n, err = t.in(k).uint(v, math.MaxUint16)
			r.TimestampTicks = uint16(n)
		case "maxOdtEntrySizeDaq":
			n, err = t.in(k).uint(v, 255)
			r.MaxEntrySizeDaq = uint8(n)
		case "maxOdtEntrySizeStim":
			n, err = t.in(k).uint(v, 255)
			r.MaxEntrySizeSt = uint8(n)
		case "granularityOdtEntrySizeDaq", "granularityOdtEntrySizeStim":
			n, err = t.in(k).uint(v, 8)
			if err == nil && n != 1 && n != 2 && n != 4 && n != 8 {
				err = t.in(k).errf("want 1, 2, 4 or 8, got %d", n)
			}
			if k == "granularityOdtEntrySizeDaq" {
				r.GranularityDaq = uint8(n)
			} else {
				r.GranularityStim = uint8(n)
			}
		case "timestampMode":
			tm, ok := v.(map[string]any)
			if !ok {
				return nil, t.in(k).errf("want a table")
			}
			size, fixed, unit := 0, false, xcp.Unit1us
			for tk, tv := range tm {
				switch tk {
				case "unit":
					s, _ := tv.(string)
					u, uerr := xcp.ParseTimestampUnit(s)
					if uerr != nil {
						return nil, t.in(k).in(tk).errf("%v", uerr)
					}
					unit = u
				case "fixed":
					b, ok := tv.(bool)
					if !ok {
						return nil, t.in(k).in(tk).errf("want true or false")
					}
					fixed = b
				case "size":
					if s, ok := tv.(string); ok {
						s = strings.TrimPrefix(strings.ToUpper(s), "S")
						tv = s
						if s == "NO_TIME_STAMP" || s == "" {
							tv = "0"
						}
					}
					n, serr := t.in(k).in(tk).uint(tv, 4)
					if serr != nil || n == 3 {
						return nil, t.in(k).in(tk).errf("want 0, 1, 2 or 4 (or \"S1\", \"S2\", \"S4\")")
					}
					size = int(n)
				default:
					return nil, t.in(k).errf("unknown key %q", tk)
				}
			}
			r.TimestampMode = xcp.MakeTimestampMode(size, fixed, unit)
		default:
			err = t.errf("unknown key %q", k)
		}
		if err != nil {
			return nil, err
		}
	}
	return r, nil
}

func parseEvent(m map[string]any, t tree, idx int) (daq.EventInfo, error) {
	e := daq.EventInfo{Number: uint16(idx)}
	e.Properties, e.MaxDaqList, e.TimeUnit = xcp.EventDAQ, 0xFF, xcp.Unit1ms
	for k, v := range m {
		var err error
		var n uint64
		switch k {
		case "number", "channel":
			n, err = t.in(k).uint(v, math.MaxUint16)
			e.Number = uint16(n)
		case "name":
			e.Name, _ = v.(string)
		case "cycle", "cycleTime":
			n, err = t.in(k).uint(v, 255)
			e.TimeCycle = uint8(n)
		case "unit", "timeUnit":
			s, _ := v.(string)
			e.TimeUnit, err = xcp.ParseTimestampUnit(s)
		case "priority":
			n, err = t.in(k).uint(v, 255)
			e.Priority = uint8(n)
		case "maxDaqList":
			n, err = t.in(k).uint(v, 255)
			e.MaxDaqList = uint8(n)
		default:
			err = t.errf("unknown key %q", k)
		}
		if err != nil {
			return e, err
		}
	}
	e.NameLength = uint8(min(len(e.Name), 255))
	return e, nil
}
