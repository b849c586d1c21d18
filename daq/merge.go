package daq

import "strings"

// mergeByEvent measures lists that share an event (and prescaler) as one
// DAQ list: some slaves (XCPlite) break on a second SET_DAQ_LIST_MODE for
// an event that already has a list. The merged list is named after its
// parts joined with "+"; it has timestamps if any part asked for them and
// the highest priority; a measurement name used in two parts is prefixed
// with its list's name ("list.name"). Predefined lists are never merged.
func mergeByEvent(lists []List) []List {
	type key struct {
		event     uint16
		prescaler uint8
		stim      bool
	}
	idx := map[key]int{}
	var out []List
	var parts [][]List
	for _, l := range lists {
		if l.Predefined {
			out, parts = append(out, l), append(parts, nil)
			continue
		}
		k := key{l.Event, max(l.Prescaler, 1), l.Stim}
		if i, ok := idx[k]; ok {
			parts[i] = append(parts[i], l)
			continue
		}
		idx[k] = len(out)
		out, parts = append(out, l), append(parts, []List{l})
	}
	for i, ps := range parts {
		if len(ps) < 2 {
			continue
		}
		count := map[string]int{}
		for _, p := range ps {
			for _, m := range p.Measurements {
				count[m.Name]++
			}
		}
		m := List{Event: ps[0].Event, Prescaler: ps[0].Prescaler, EventName: ps[0].EventName, Stim: ps[0].Stim}
		var names []string
		for _, p := range ps {
			names = append(names, p.Name)
			m.Timestamps = m.Timestamps || p.Timestamps
			m.Priority = max(m.Priority, p.Priority)
			for _, ms := range p.Measurements {
				if count[ms.Name] > 1 {
					ms.Name = p.Name + "." + ms.Name
				}
				m.Measurements = append(m.Measurements, ms)
			}
		}
		m.Name = strings.Join(names, "+")
		out[i] = m
	}
	return out
}
