package imaging

// Internals that tests hold to a reference implementation.
var (
	BoxShrink = boxShrink
	BoxBlur   = boxBlur
	ToRGBA    = toRGBA
)

// Divide divides x by d the way the blur does.
func Divide(x, d uint32) uint32 { return newDivider(d).div(x) }
