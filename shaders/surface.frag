#version 330 core
// Mirrors color::ColorMapping::shade and color::Cortex exactly (same LUT, same indexing);
// tests check the Rust side with exact RGBA values and the rendered pixels against it.
// Defines inserted after the version line (render::gl::programs): MAX_LAYERS always;
// LAYERS with N_LAYERS, LAYER_KINDS and LAYER_SLOTS when the surface has layers (the
// program is made for its stack: the layer loop unrolls, kinds and slots are constants);
// VALUES and N_VALUES when some are overlays (vertex attributes, interpolated);
// CATEGORICAL when the figure has annotations or labels (surface.geom runs then).
in Surface {
    vec3 normal;
    float curv;
    flat int id;
#ifdef VALUES
    vec2 values[N_VALUES];
#endif
} fs_in;

uniform int u_has_curv;
uniform vec3 u_gyrus;
uniform vec3 u_sulcus;
uniform vec3 u_flat;

// @include lighting.glsl

#ifdef LAYERS
// Every layer in drawing order, bottom first, the first overlay among them: its kind
// (0 annotation or label, 1 overlay) and slot (an annotation or label's block of rows
// in u_layers, an overlay's value slot).
const int LAYER_KIND[N_LAYERS] = LAYER_KINDS;
const int LAYER_SLOT[N_LAYERS] = LAYER_SLOTS;
uniform float u_layer_alpha[MAX_LAYERS];
uniform int u_layer_sign[MAX_LAYERS];  // 0 abs, 1 pos, 2 neg
uniform float u_layer_threshold[MAX_LAYERS];  // |v| below is transparent
uniform float u_layer_lo[MAX_LAYERS];  // |v| at the bottom of the ramp
uniform float u_layer_hi[MAX_LAYERS];  // |v| at the top of the ramp
// Per-vertex RGBA8 colours of annotation and label layers: vertex v of the layer in
// slot S at (v % 4096, S * u_layer_rows + v / 4096).
uniform sampler2D u_layers;
uniform int u_layer_rows;
// Layer L's LUT rows (positive, negative values) at rows 2L and 2L + 1, 256 wide.
uniform sampler2D u_layer_lut;

#ifdef CATEGORICAL
in vec3 g_bary;
flat in ivec3 g_ids;

vec4 layer_at(int slot, int v) {
    return texelFetch(u_layers, ivec2(v % 4096, slot * u_layer_rows + v / 4096), 0);
}

// The colour of layer `l` at this fragment. Each label present at the triangle's corners
// gets the sum of its corners' barycentric weights, and the heaviest wins: a border
// between two labels is then a straight line through the midpoints of the two edges
// that cross it, and three labels meet at the centroid (scene::borders draws the same
// lines). Alpha 0 where the layer draws nothing.
vec4 layer_color(int l) {
    int slot = LAYER_SLOT[l];
    vec4 c0 = layer_at(slot, g_ids.x);
    vec4 c1 = layer_at(slot, g_ids.y);
    vec4 c2 = layer_at(slot, g_ids.z);
    float w0 = g_bary.x + (c1 == c0 ? g_bary.y : 0.0) + (c2 == c0 ? g_bary.z : 0.0);
    float w1 = g_bary.y + (c0 == c1 ? g_bary.x : 0.0) + (c2 == c1 ? g_bary.z : 0.0);
    float w2 = g_bary.z + (c0 == c2 ? g_bary.x : 0.0) + (c1 == c2 ? g_bary.y : 0.0);
    vec4 c = c0;
    if (w1 > w0 && w1 >= w2) c = c1;
    else if (w2 > w0 && w2 > w1) c = c2;
    return vec4(c.rgb, c.a * u_layer_alpha[l]);
}
#endif

#ifdef VALUES
// Whether value v is drawn (valid, of the drawn sign, not under the threshold), and its
// position s along the colour ramp: ColorMapping::shade.
bool ramp(float v, float valid, int sign, float threshold, float lo, float hi, out float s) {
    s = 0.0;
    if (valid < 0.5) return false;
    if (sign == 1 && !(v > 0.0)) return false;
    if (sign == 2 && !(v < 0.0)) return false;
    float a = abs(v);
    if (a < threshold) return false;
    if (hi > lo) {
        s = clamp((a - lo) / (hi - lo), 0.0, 1.0);
    } else {
        s = a >= hi ? 1.0 : 0.0;
    }
    return true;
}

// An overlay layer's colour at this fragment: its interpolated value and validity
// looked up in its LUT. Alpha 0 where it is transparent.
vec4 value_color(int l) {
    vec2 vv = fs_in.values[LAYER_SLOT[l]];
    float s;
    if (!ramp(vv.x, vv.y, u_layer_sign[l], u_layer_threshold[l], u_layer_lo[l],
              u_layer_hi[l], s)) {
        return vec4(0.0);
    }
    int i = min(255, int(floor(s * 256.0)));
    int row = 2 * l + (vv.x >= 0.0 ? 0 : 1);
    return vec4(texelFetch(u_layer_lut, ivec2(i, row), 0).rgb, u_layer_alpha[l]);
}
#endif

vec4 layer_paint(int l) {
#ifdef CATEGORICAL
    if (LAYER_KIND[l] == 0) return layer_color(l);
#endif
#ifdef VALUES
    if (LAYER_KIND[l] == 1) return value_color(l);
#endif
    return vec4(0.0);
}

// Every layer over `base` by one rule: opaque paint replaces what is under it,
// translucent paint is mixed in by its alpha.
vec3 layers(vec3 base) {
    for (int l = 0; l < N_LAYERS; l++) {
        vec4 c = layer_paint(l);
        base = c.a >= 1.0 ? c.rgb : mix(base, c.rgb, c.a);
    }
    return base;
}
#endif

out vec4 frag;

vec3 cortex() {
    if (u_has_curv == 0) return u_flat;
    // FreeSurfer's sign: positive curvature is a sulcus.
    return fs_in.curv > 0.0 ? u_sulcus : u_gyrus;
}

void main() {
    vec3 base = cortex();
#ifdef LAYERS
    base = layers(base);
#endif
    frag = vec4(lit(base, fs_in.normal), 1.0);
}
