#version 330 core
// Per-vertex data arrive untouched; colour is decided per pixel in surface.frag so that
// threshold and curvature boundaries are smooth curves, not triangle staircases.
layout(location = 0) in vec3 a_position;
layout(location = 1) in vec3 a_normal;
layout(location = 2) in float a_curv;
layout(location = 3) in float a_value;
layout(location = 4) in float a_valid;
#ifdef VALUES
// Overlay layers above the first, one layer slot per component (slots 0-3, then 4-7).
layout(location = 5) in vec4 a_values0;
layout(location = 6) in vec4 a_values1;
layout(location = 7) in vec4 a_valid0;
layout(location = 8) in vec4 a_valid1;
#endif

uniform mat4 u_mvp;
// Rows: camera right, up and towards-viewer axes in world coordinates.
uniform mat3 u_view;

out Surface {
    vec3 normal;
    float curv;
    float value;
    float valid;
    // The vertex's index, for per-vertex layer lookups (surface.geom).
    flat int id;
#ifdef VALUES
    vec4 values0;
    vec4 values1;
    vec4 valid0;
    vec4 valid1;
#endif
} vs_out;

void main() {
    gl_Position = u_mvp * vec4(a_position, 1.0);
    vs_out.normal = u_view * a_normal;
    vs_out.curv = a_curv;
    vs_out.value = a_value;
    vs_out.valid = a_valid;
    vs_out.id = gl_VertexID;
#ifdef VALUES
    vs_out.values0 = a_values0;
    vs_out.values1 = a_values1;
    vs_out.valid0 = a_valid0;
    vs_out.valid1 = a_valid1;
#endif
}
