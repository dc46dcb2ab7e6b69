#version 330 core
// Foci: copies of a unit sphere at their places, drawn after the surface they mark.
layout(location = 0) in vec3 a_position;
layout(location = 1) in vec3 a_normal;
// The focus's colour, as 8-bit values normalised by the vertex fetch.
layout(location = 2) in vec3 a_color;

uniform mat4 u_mvp;
// Rows: camera right, up and towards-viewer axes in world coordinates.
uniform mat3 u_view;

out vec3 v_normal;
flat out vec3 v_color;

void main() {
    gl_Position = u_mvp * vec4(a_position, 1.0);
    v_normal = u_view * a_normal;
    v_color = a_color;
}
