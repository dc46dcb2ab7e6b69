#version 330 core
// Mirrors color::ColorMapping::rgb and color::Cortex exactly (same LUT, same indexing);
// tests check the Rust side with exact RGBA values and the rendered pixels against it.
// Defines inserted after the version line (render::gl): LAYERS when a surface has layers,
// VALUES when some are overlays (vertex attributes, interpolated like the first overlay),
// CATEGORICAL when some are annotations or labels (surface.geom runs then).
in Surface {
    vec3 normal;
    float curv;
    float value;
    float valid;
    flat int id;
#ifdef VALUES
    vec4 values0;
    vec4 values1;
    vec4 valid0;
    vec4 valid1;
#endif
} fs_in;

// 256 x 2 RGBA8: row 0 for positive values, row 1 for negative values.
uniform sampler2D u_lut;
uniform int u_has_overlay;
uniform int u_sign;        // 0 abs, 1 pos, 2 neg
uniform float u_threshold; // |v| below is transparent
uniform float u_lo;        // |v| at the bottom of the ramp
uniform float u_hi;        // |v| at the top of the ramp
uniform float u_opacity;   // of the overlay over what is under it
uniform int u_has_curv;
uniform vec3 u_gyrus;
uniform vec3 u_sulcus;
uniform vec3 u_flat;

// @include lighting.glsl

#ifdef LAYERS
// Per-vertex RGBA8 colours of annotation and label layers: vertex v of layer L at
// (v % 4096, L * u_layer_rows + v / 4096).
uniform sampler2D u_layers;
// Overlay layer L's LUT rows (positive, negative) at rows 2L and 2L + 1.
uniform sampler2D u_layer_lut;
uniform int u_layer_rows;
uniform int u_n_layers;
uniform int u_layer_kind[8];    // 0 categorical, 1 overlay, 2 overlay that colours nothing
uniform int u_layer_over[8];    // 1: drawn over the first overlay, 0: under it
uniform float u_layer_alpha[8];
uniform int u_layer_sign[8];
uniform float u_layer_threshold[8];
uniform float u_layer_lo[8];
uniform float u_layer_hi[8];

#ifdef CATEGORICAL
in vec3 g_bary;
flat in ivec3 g_ids;

vec4 layer_at(int layer, int v) {
    return texelFetch(u_layers, ivec2(v % 4096, layer * u_layer_rows + v / 4096), 0);
}

// The colour of `layer` at this fragment. Each label present at the triangle's corners
// gets the sum of its corners' barycentric weights, and the heaviest wins: a border
// between two labels is then a straight line through the midpoints of the two edges
// that cross it, and three labels meet at the centroid (scene::borders draws the same
// lines). Alpha 0 where the layer draws nothing.
vec4 layer_color(int layer) {
    vec4 c0 = layer_at(layer, g_ids.x);
    vec4 c1 = layer_at(layer, g_ids.y);
    vec4 c2 = layer_at(layer, g_ids.z);
    float w0 = g_bary.x + (c1 == c0 ? g_bary.y : 0.0) + (c2 == c0 ? g_bary.z : 0.0);
    float w1 = g_bary.y + (c0 == c1 ? g_bary.x : 0.0) + (c2 == c1 ? g_bary.z : 0.0);
    float w2 = g_bary.z + (c0 == c2 ? g_bary.x : 0.0) + (c1 == c2 ? g_bary.y : 0.0);
    vec4 c = c0;
    if (w1 > w0 && w1 >= w2) c = c1;
    else if (w2 > w0 && w2 > w1) c = c2;
    return vec4(c.rgb, c.a * u_layer_alpha[layer]);
}

#endif

bool ramp(float v, float valid, int sign, float threshold, float lo, float hi, out float s);

#ifdef VALUES
// An overlay layer's colour at this fragment: its interpolated value (the layer's slot of
// the interpolated attributes, as the first overlay's value is) looked up like
// `overlay()`. Alpha 0 where it is transparent.
vec4 value_color(int layer) {
    float v = layer < 4 ? fs_in.values0[layer] : fs_in.values1[layer - 4];
    float valid = layer < 4 ? fs_in.valid0[layer] : fs_in.valid1[layer - 4];
    float s;
    if (!ramp(v, valid, u_layer_sign[layer], u_layer_threshold[layer], u_layer_lo[layer],
              u_layer_hi[layer], s)) {
        return vec4(0.0);
    }
    int i = min(255, int(floor(s * 256.0)));
    int row = 2 * layer + (v >= 0.0 ? 0 : 1);
    return vec4(texelFetch(u_layer_lut, ivec2(i, row), 0).rgb, u_layer_alpha[layer]);
}

#endif

vec4 layer_paint(int l) {
#ifdef CATEGORICAL
    if (u_layer_kind[l] == 0) return layer_color(l);
#endif
#ifdef VALUES
    if (u_layer_kind[l] == 1) return value_color(l);
#endif
    return vec4(0.0);
}

vec3 layers(vec3 base, int over) {
    for (int l = 0; l < 8; l++) {
        if (l >= u_n_layers) break;
        if (u_layer_over[l] != over || u_layer_kind[l] == 2) continue;
        vec4 c = layer_paint(l);
        base = mix(base, c.rgb, c.a);
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

// Whether value v is drawn (valid, of the drawn sign, not under the threshold), and its
// position s along the colour ramp.
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

bool overlay(out vec3 rgb) {
    rgb = vec3(0.0);
    float s;
    if (u_has_overlay == 0) return false;
    if (!ramp(fs_in.value, fs_in.valid, u_sign, u_threshold, u_lo, u_hi, s)) return false;
    float v = fs_in.value;
    int i = min(255, int(floor(s * 256.0)));
    int row = v >= 0.0 ? 0 : 1;
    rgb = texelFetch(u_lut, ivec2(i, row), 0).rgb;
    return true;
}

void main() {
    vec3 base = cortex();
#ifdef LAYERS
    base = layers(base, 0);
#endif
    vec3 ov;
    if (overlay(ov)) base = u_opacity >= 1.0 ? ov : mix(base, ov, u_opacity);
#ifdef LAYERS
    base = layers(base, 1);
#endif
    frag = vec4(lit(base, fs_in.normal), 1.0);
}
