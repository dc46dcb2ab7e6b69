#version 330 core
// Per-vertex data arrive untouched; colour is decided per pixel in surface.frag so that
// threshold and curvature boundaries are smooth curves, not triangle staircases.
// Defines inserted after the version line (render::gl::programs): VALUES and N_VALUES
// when overlay layers are drawn, one value slot per overlay layer.
layout(location = 0) in vec3 a_position;
layout(location = 1) in vec3 a_normal;
layout(location = 2) in float a_curv;
#ifdef VALUES
// Each overlay layer's (value, validity): a vertex without data has value 0 and
// validity 0, as NaN would poison interpolation across a whole triangle.
layout(location = 3) in vec2 a_values[N_VALUES];
#endif

uniform mat4 u_mvp;
// Rows: camera right, up and towards-viewer axes in world coordinates.
uniform mat3 u_view;

out Surface {
    vec3 normal;
    float curv;
    // The vertex's index, for per-vertex layer lookups (surface.geom).
    flat int id;
#ifdef VALUES
    vec2 values[N_VALUES];
#endif
} vs_out;

void main() {
    gl_Position = u_mvp * vec4(a_position, 1.0);
    vs_out.normal = u_view * a_normal;
    vs_out.curv = a_curv;
    vs_out.id = gl_VertexID;
#ifdef VALUES
    vs_out.values = a_values;
#endif
}
