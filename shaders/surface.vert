#version 330 core
// Per-vertex data arrive untouched; colour is decided per pixel in surface.frag so that
// threshold and curvature boundaries are smooth curves, not triangle staircases.
layout(location = 0) in vec3 a_position;
layout(location = 1) in vec3 a_normal;
layout(location = 2) in float a_curv;
layout(location = 3) in float a_value;
layout(location = 4) in float a_valid;

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
} vs_out;

void main() {
    gl_Position = u_mvp * vec4(a_position, 1.0);
    vs_out.normal = u_view * a_normal;
    vs_out.curv = a_curv;
    vs_out.value = a_value;
    vs_out.valid = a_valid;
    vs_out.id = gl_VertexID;
}
