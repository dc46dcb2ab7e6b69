// Lighting shared by surface.frag and foci.frag, spliced in by render::gl where
// "// @include lighting.glsl" stands, so the cortex and the foci are lit by the same
// numbers (render/cpu/shade.rs computes them too).
// Camera-relative directional lights (towards the light) and intensities.
uniform vec3 u_light_dir[3];
uniform float u_light_int[3];
uniform float u_ambient;

// `base` lit by the three lights over an ambient share. Two-sided: a visible fragment
// always faces the camera.
vec3 lit(vec3 base, vec3 normal) {
    vec3 n = normalize(normal);
    if (n.z < 0.0) n = -n;
    float d = 0.0;
    for (int k = 0; k < 3; k++) {
        d += u_light_int[k] * max(dot(n, u_light_dir[k]), 0.0);
    }
    float shade = u_ambient + (1.0 - u_ambient) * d;
    return clamp(base * shade, 0.0, 1.0);
}
