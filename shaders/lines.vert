#version 330 core
// Border and contour segments lying on the surface; lifted a fraction of a millimetre
// towards the camera so the surface under them does not hide them.
layout(location = 0) in vec3 a_position;
layout(location = 1) in vec4 a_color;

uniform mat4 u_mvp;
uniform vec3 u_lift;

out vec4 v_color;

void main() {
    gl_Position = u_mvp * vec4(a_position + u_lift, 1.0);
    v_color = a_color;
}
