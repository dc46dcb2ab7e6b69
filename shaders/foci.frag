#version 330 core
// A focus is its colour lit like the cortex (lighting.glsl), whatever lies under it.
in vec3 v_normal;
flat in vec3 v_color;
out vec4 frag;

// @include lighting.glsl

void main() {
    frag = vec4(lit(v_color, v_normal), 1.0);
}
