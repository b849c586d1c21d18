package config

// Layer is one step in building a configuration: the settings after the
// step (Config) and, optionally, the keys the step names explicitly even
// where it repeats the value before it (a file's keys, see FileKeys).
type Layer struct {
	Name   string // where the step's values come from: a file name, "flag", "env XCP_LOGLEVEL" …
	Config *Config
	Keys   []string
}

// Sources returns, for every setting key, the name of the last layer that
// set it: "default" for settings no layer changes, otherwise the last
// layer whose value differs from the one before it or that names the key
// in Keys. Layers are given in the order they are applied, each Config
// holding the result of all layers up to it.
func Sources(layers []Layer) map[string]string {
	source := map[string]string{}
	prev := map[string]string{}
	for _, s := range Settings(Default()) {
		source[s.Key], prev[s.Key] = "default", FormatValue(s.Value)
	}
	for _, l := range layers {
		for _, k := range l.Keys {
			if _, ok := source[k]; ok {
				source[k] = l.Name
			}
		}
		for _, s := range Settings(l.Config) {
			if v := FormatValue(s.Value); v != prev[s.Key] {
				source[s.Key], prev[s.Key] = l.Name, v
			}
		}
	}
	return source
}
