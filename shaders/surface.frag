#version 330 core
// Mirrors color::ColorMapping::rgba and color::Cortex exactly (same LUT, same indexing);
// tests check the Rust side with exact RGBA values and the rendered pixels against it.
in vec3 v_normal;
in float v_curv;
in float v_value;
in float v_valid;

// 256 x 2 RGBA8: row 0 for positive values, row 1 for negative values.
uniform sampler2D u_lut;
uniform int u_has_overlay;
uniform int u_sign;        // 0 abs, 1 pos, 2 neg
uniform float u_threshold; // |v| below is transparent
uniform float u_lo;        // |v| at the bottom of the ramp
uniform float u_hi;        // |v| at the top of the ramp
uniform int u_has_curv;
uniform vec3 u_gyrus;
uniform vec3 u_sulcus;
uniform vec3 u_flat;
// Camera-relative directional lights (towards the light) and intensities.
uniform vec3 u_light_dir[3];
uniform float u_light_int[3];
uniform float u_ambient;

out vec4 frag;

vec3 cortex() {
    if (u_has_curv == 0) return u_flat;
    // FreeSurfer's sign: positive curvature is a sulcus.
    return v_curv > 0.0 ? u_sulcus : u_gyrus;
}

bool overlay(out vec3 rgb) {
    rgb = vec3(0.0);
    if (u_has_overlay == 0 || v_valid < 0.5) return false;
    float v = v_value;
    if (u_sign == 1 && !(v > 0.0)) return false;
    if (u_sign == 2 && !(v < 0.0)) return false;
    float a = abs(v);
    if (a < u_threshold) return false;
    float s;
    if (u_hi > u_lo) {
        s = clamp((a - u_lo) / (u_hi - u_lo), 0.0, 1.0);
    } else {
        s = a >= u_hi ? 1.0 : 0.0;
    }
    int i = min(255, int(floor(s * 256.0)));
    int row = v >= 0.0 ? 0 : 1;
    rgb = texelFetch(u_lut, ivec2(i, row), 0).rgb;
    return true;
}

void main() {
    vec3 base;
    if (!overlay(base)) base = cortex();
    vec3 n = normalize(v_normal);
    // Two-sided: a visible fragment always faces the camera.
    if (n.z < 0.0) n = -n;
    float d = 0.0;
    for (int k = 0; k < 3; k++) {
        d += u_light_int[k] * max(dot(n, u_light_dir[k]), 0.0);
    }
    float shade = u_ambient + (1.0 - u_ambient) * d;
    frag = vec4(clamp(base * shade, 0.0, 1.0), 1.0);
}
