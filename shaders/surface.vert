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

out vec3 v_normal;
out float v_curv;
out float v_value;
out float v_valid;

void main() {
    gl_Position = u_mvp * vec4(a_position, 1.0);
    v_normal = u_view * a_normal;
    v_curv = a_curv;
    v_value = a_value;
    v_valid = a_valid;
}
